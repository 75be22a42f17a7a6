import Foundation
import JinaHistoryCore
import Logging
import NIOCore
import NIOPosix
import NIOSSL
public import PostgresNIO

/// Opens connections to a PostgreSQL history, each within a deadline (a server that accepts the connection and
/// then says nothing must not hang a recorder or a report), and turns what went wrong into a typed storage problem
/// that never carries the password.
///
/// A single `PostgresConnection` is opened here rather than leased from `PostgresClient`'s pool: the pool retries a
/// failed login or an unknown database in the background while the caller waits (postgres-nio issues #489, #565),
/// where a user needs the server's reason at once.
public struct PostgresConnector: Sendable {
    /// The database.
    public let address: PostgresAddress
    /// How long connecting and logging in may take, and then the work on the connection, each in ms.
    public let deadlineMs: Int64

    /// Prepares connections to `address`; nothing connects until ``withConnection(_:)``.
    public init(address: PostgresAddress, deadlineMs: Int64 = 10_000) {
        self.address = address
        self.deadlineMs = deadlineMs
    }

    /// Connects, runs `body` on the connection within the deadline (past it the connection is closed, which ends
    /// the body's query) and closes it, whatever `body` does.
    ///
    /// - throws: ``JinaHistoryError`` (storage) when the server cannot be reached, refuses the login, has no such
    ///   database, fails TLS, or connecting or `body` misses the deadline; what `body` throws otherwise.
    public func withConnection<T: Sendable>(_ body: @Sendable @escaping (PostgresConnection) async throws -> T)
        async throws -> T
    {
        let connection = try await connect()
        do {
            let result = try await race({ try await body(connection) }, onTimeout: { connection.closeInBackground() })
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// A new connection, logged in.
    func connect() async throws -> PostgresConnection {
        let configuration = try connectionConfiguration()
        let logger = Self.logger
        return try await race({
            try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        }, onTimeout: {})
    }

    /// postgres-nio logs at debug and trace levels; the command line reports problems itself, once.
    static let logger = Logger(label: "jina-history.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs `operation` within the deadline, calling `onTimeout` when it is missed, and turns what fails into a
    /// storage problem.
    func race<T: Sendable>(_ operation: @Sendable @escaping () async throws -> T,
                           onTimeout: @Sendable @escaping () -> Void) async throws -> T {
        let deadlineMs = deadlineMs
        let location = address.description
        do {
            return try await withThrowingTaskGroup(of: T.self) { group in
                group.addTask { try await operation() }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(deadlineMs))
                    onTimeout()
                    throw JinaHistoryError.storage(
                        StorageProblem(location: location, reason: .timedOut(afterMs: deadlineMs)))
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
        } catch let error as JinaHistoryError {
            throw error
        } catch {
            throw Self.problem(error, location: location)
        }
    }

    private func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: address.host, port: address.port, username: address.user, password: address.password,
            database: address.database, tls: try tls())
        // The deadline is ours (it covers the login too, which NIO's connect timeout may or may not): NIO's timer
        // only backs it up, so the two never race to name the problem.
        configuration.options.connectTimeout = .milliseconds(deadlineMs + 1_000)
        return configuration
    }

    private func tls() throws -> PostgresConnection.Configuration.TLS {
        if address.tlsMode == .disable { return .disable }
        var tls = TLSConfiguration.makeClientConfiguration()
        if address.tlsMode == .verifyFull {
            tls.certificateVerification = .fullVerification
            if let path = address.rootCertificatePath { tls.trustRoots = .file(path) }
        } else {
            // libpq's prefer and require encrypt without checking who answers.
            tls.certificateVerification = .none
        }
        do {
            let context = try NIOSSLContext(configuration: tls)
            return address.tlsMode == .prefer ? .prefer(context) : .require(context)
        } catch {
            throw JinaHistoryError.storage(StorageProblem(
                location: address.description, reason: .tls,
                detail: "cannot load sslrootcert \(address.rootCertificatePath ?? ""): \(error)".oneLine(limit: 300)))
        }
    }

    /// The storage problem an error of the driver, the network or TLS stands for, in the server's words where it
    /// gave some (SQLSTATE classes: 28 login, 3D database, docs/storage.md).
    static func problem(_ error: any Error, location: String) -> JinaHistoryError {
        let problem: StorageProblem
        switch error {
        case let error as PSQLError:
            if let info = error.serverInfo {
                let state = info[.sqlState] ?? ""
                let words = (info[.message] ?? "").oneLine(limit: 300)
                let detail = "\(words) (SQLSTATE \(state))"
                problem = switch state.prefix(2) {
                case "28": StorageProblem(location: location, reason: .authentication, detail: detail)
                case "3D": StorageProblem(location: location, reason: .noSuchDatabase, detail: detail)
                default: StorageProblem(location: location, reason: .other, detail: detail)
                }
            } else if error.code == .sslUnsupported {
                problem = StorageProblem(location: location, reason: .tls, detail: "the server does not offer TLS")
            } else if error.code == .authMechanismRequiresPassword {
                problem = StorageProblem(location: location, reason: .authentication,
                                         detail: "the server asks for a password and none was given")
            } else if let underlying = error.underlying {
                problem = networkProblem(underlying, location: location)
            } else {
                problem = StorageProblem(location: location, reason: .other, detail: "\(error.code)")
            }
        default:
            problem = networkProblem(error, location: location)
        }
        return .storage(problem)
    }

    private static func networkProblem(_ error: any Error, location: String) -> StorageProblem {
        switch error {
        case is NIOSSLError, is BoringSSLError:
            return StorageProblem(location: location, reason: .tls, detail: "\(error)".oneLine(limit: 300))
        case let error as IOError where error.errnoCode == ECONNREFUSED:
            return StorageProblem(location: location, reason: .unreachable, detail: "connection refused")
        case let error as NIOConnectionError:
            let refused = error.connectionErrors.contains { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }
            return StorageProblem(location: location, reason: .unreachable,
                                  detail: refused ? "connection refused" : error.dnsAAAAError == nil
                                      && error.dnsAError == nil ? "no connection" : "the host name does not resolve")
        case is ChannelError:
            return StorageProblem(location: location, reason: .unreachable, detail: "\(error)".oneLine(limit: 300))
        default:
            return StorageProblem(location: location, reason: .other, detail: "\(error)".oneLine(limit: 300))
        }
    }
}

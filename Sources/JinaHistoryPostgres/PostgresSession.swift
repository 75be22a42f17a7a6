import JinaHistoryCore
import Logging
import PostgresNIO
import Synchronization

/// One connection to a PostgreSQL history behind a synchronous API, used by one thread at a time: it connects when
/// first used and again after the connection was lost, and every statement has the connector's deadline (past it
/// the connection is closed, which ends the statement).
final class PostgresSession: @unchecked Sendable {
    /// How connections are made.
    let connector: PostgresConnector
    private var connection: PostgresConnection?

    /// A session that connects on first use.
    init(connector: PostgresConnector) {
        self.connector = connector
    }

    deinit { close() }

    /// The rows of `query`, all of them (a long result is read through a cursor, in batches).
    ///
    /// The calling thread waits on postgres-nio's future for the rows, and the deadline is a timer on the
    /// connection's event loop: a recorder of PostgreSQL makes a handful of statements a batch and up to a hundred
    /// batches a second, and a task, a task group and a timer task of Swift's for each statement cost it more
    /// CPU than the statements did (docs/benchmarks.md, "The central store").
    ///
    /// - throws: ``JinaHistoryError`` (storage) naming the server's reason, or the deadline.
    func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        let connection = try connected()
        let deadlineMs = connector.deadlineMs
        let missed = DeadlineMissed()
        let deadline = connection.eventLoop.scheduleTask(in: .milliseconds(deadlineMs)) {
            missed.value.withLock { $0 = true }
            connection.closeInBackground()
        }
        defer { deadline.cancel() }
        do {
            return try connection.query(query, logger: PostgresConnector.logger).wait().rows
        } catch {
            if connection.isClosed { self.connection = nil }
            let location = connector.address.description
            if missed.value.withLock({ $0 }) {
                throw JinaHistoryError.storage(StorageProblem(location: location, reason: .timedOut(afterMs: deadlineMs)))
            }
            throw error as? JinaHistoryError ?? PostgresConnector.problem(error, location: location)
        }
    }

    /// Runs `query` for its effect.
    func execute(_ query: PostgresQuery) throws {
        _ = try rows(query)
    }

    /// The one value of a one-row, one-column query, `nil` when there is no row.
    func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type) throws -> T? {
        try rows(query).first.map { try decoded($0, as: T.self) }
    }

    /// Runs `body` in one transaction (`begin` opens it): committed when `body` returns, rolled back when it
    /// throws.
    func transaction<T>(_ begin: PostgresQuery = "BEGIN", _ body: () throws -> T) throws -> T {
        try execute(begin)
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if connection != nil { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Whether the session holds a live connection (it has none before its first statement and after losing it).
    var isConnected: Bool { connection.map { !$0.isClosed } ?? false }

    /// Closes the connection; the next statement connects again.
    func close() {
        guard let connection else { return }
        self.connection = nil
        connection.closeInBackground()
    }

    private func connected() throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        let connector = connector
        connection = nil
        let fresh = try BlockingCall.run { try await connector.connect() }
        connection = fresh
        return fresh
    }
}

/// Decodes a whole row as `T`, the problem named as the engine's.
func decoded<each Column: PostgresDecodable>(_ row: PostgresRow, as types: (repeat each Column).Type) throws
    -> (repeat each Column)
{
    do {
        return try row.decode(types)
    } catch {
        throw JinaHistoryError.storage(StorageProblem(
            location: "PostgreSQL", reason: .other, detail: "a row did not decode: \(error)".oneLine(limit: 300)))
    }
}

/// Whether a statement's deadline passed (set on the event loop, read by the waiting thread).
private final class DeadlineMissed: Sendable {
    let value = Mutex(false)
}

extension PostgresConnection {
    /// Starts closing the connection without waiting. postgres-nio asserts that a connection is closed before it
    /// goes, so the callback holds it until then.
    func closeInBackground() {
        close().whenComplete { _ in withExtendedLifetime(self) {} }
    }
}

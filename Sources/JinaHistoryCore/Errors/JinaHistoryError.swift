import Foundation

/// An error that escapes a library: a value a person gave that is wrong, a target whose settings do not go
/// together, a store that cannot be used, or another recorder already at work. Typed, so a caller can match on
/// what went wrong and with what; the line a person reads is composed at the edge by ``message(naming:)``, with
/// the edge's own name for each input (the command's flags, the configuration file's fields).
public enum JinaHistoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `value`, given for `input`, is wrong in the way `problem` says.
    case invalid(Input, value: String, Problem)
    /// The target named `name` cannot be probed as given.
    case unsupportedTarget(name: String, TargetProblem)
    /// The store cannot be opened, read or written.
    case storage(StorageProblem)
    /// Another recorder already writes to the store.
    case recorderRunning(RunningRecorder)

    /// What a person gives jina-history, as the command and the configuration file both spell it (the command
    /// puts `--` before it).
    public enum Input: String, Sendable, CaseIterable {
        /// A target's url.
        case url
        /// What a target is.
        case kind
        /// Distance between rounds.
        case interval
        /// Deadline of an attempt.
        case timeout
        /// Extra attempts in a round.
        case retries
        /// Attempts of a ping.
        case attempts
        /// Pause between the attempts of a round.
        case retryDelay = "retry-delay"
        /// Successes that make a round up.
        case minSuccessfulAttempts = "min-successful-attempts"
        /// Down rounds before an up target is down.
        case failureThreshold = "failure-threshold"
        /// Up rounds before a down target is up.
        case successThreshold = "success-threshold"
        /// Start of a window.
        case since
        /// End of a window.
        case until
        /// Start of a maintenance window.
        case from
        /// End of a maintenance window.
        case to
        /// The zone dates and times are read in.
        case timeZone = "tz"
        /// A target, by name.
        case target
        /// The CA certificate file.
        case caCertificate = "ca-cert"
        /// The client certificate file.
        case clientCertificate = "client-cert"
        /// The client key file.
        case clientKey = "client-key"
        /// The metrics server's address.
        case metricsListen = "metrics-listen"
        /// The window of the availability metric.
        case metricsWindow = "metrics-window"
        /// A maintenance window to delete, by id.
        case delete
        /// The raw history `prune` keeps.
        case keepRaw = "keep-raw"
        /// The recoveries that join outages.
        case mergeGap = "merge-gap"
        /// The period of a series of pings.
        case every
        /// How much history `db seed` writes.
        case span
        /// The history database.
        case database = "db"
        /// The configuration file.
        case config
        /// Where a recorder stands (docs/semantics.md §9).
        case vantage
        /// `--notify`.
        case notify
        /// `--notify-format`.
        case notifyFormat = "notify-format"
        /// `--notify-repeat`.
        case notifyRepeat = "notify-repeat"
        /// `--notify-timeout`.
        case notifyTimeout = "notify-timeout"
        /// `--on-transition`.
        case onTransition = "on-transition"
        /// `--auth-file`.
        case authFile = "auth-file"
        /// `--listen`.
        case listen
        /// An export's table (`--what`).
        case what
        /// The outage chosen on a target page.
        case outage
        /// A badge's window.
        case window
    }

    /// What is wrong with a value.
    public enum Problem: Equatable, Sendable {
        /// Not a number and a unit.
        case notADuration
        /// A duration written with a minus.
        case negativeDuration
        /// Not a time in any form `--since` takes.
        case notATime
        /// A duration back from now written with a minus.
        case negativeTime
        /// A bare number too short to be unix seconds.
        case bareNumber
        /// Not a time zone.
        case notATimeZone
        /// Not a kind of target.
        case notAKind
        /// Below a smallest duration, as written (`10ms`).
        case below(String)
        /// Below a smallest count.
        case belowCount(Int)
        /// More successes needed than attempts made.
        case moreSuccessesThanAttempts
        /// A url that is not `[scheme://]HOST:PORT`.
        case url(URLProblem)
        /// A target name that was never recorded; the ones that were.
        case notRecorded(known: [String])
        /// A vantage no recorder run stood at; the ones that did.
        case unknownVantage(known: [String])
        /// A history whose raw rounds `prune` deleted, which a copy cannot make whole.
        case prunedHistory
        /// A file that does not exist or cannot be read.
        case noSuchReadableFile
        /// Given without the input it goes with.
        case without(Input)
        /// A window that ends before it starts.
        case emptyWindow
        /// A maintenance window id that does not exist.
        case noSuchMaintenanceWindow
        /// A maintenance window deleted already, at that time.
        case deletedAlready(atMs: Int64)
        /// An address the metrics server cannot listen on.
        case cannotListen(ListenProblem)
        /// A database url that cannot be used; the value is shown without its password.
        case databaseURL(DatabaseURLProblem)
        /// A notify url that cannot be used.
        case notifyURL(NotifyURLProblem)
        /// Not one of the formats named.
        case notAFormat(known: [String])
        /// No such program on the PATH (or no such executable file).
        case noSuchCommand
        /// Not one `bearer TOKEN` or `basic USER:PASSWORD` line.
        case notAnAuthFile
        /// Not HOST:PORT.
        case notHostAndPort
        /// Not one of the values named.
        case notOneOf([String])
    }

    /// What is wrong with a `postgres://` database url.
    public enum DatabaseURLProblem: Equatable, Sendable {
        /// Not a url of a server this jina-history speaks to.
        case unknownScheme(String)
        /// No host.
        case noHost
        /// A port that is not 1 to 65535.
        case badPort(String)
        /// A query parameter jina-history does not know.
        case unknownParameter(String)
        /// An `sslmode` other than disable, prefer, require or verify-full.
        case badSSLMode(String)
        /// Not a url at all (a space, a bad `%` escape).
        case malformed
    }

    /// What is wrong with a notify url.
    public enum NotifyURLProblem: Equatable, Sendable {
        /// Not http or https.
        case notHTTP(scheme: String)
        /// No host.
        case noHost
        /// Not a url at all.
        case malformed
    }

    /// What is wrong with a url.
    public enum URLProblem: Equatable, Sendable {
        /// A scheme jina-history does not speak.
        case unknownScheme(String)
        /// `USER:PASSWORD@` in it.
        case credentials
        /// A path after the port.
        case path
        /// No port.
        case noPort
        /// No host.
        case noHost
        /// A port that is not 1 to 65535.
        case badPort(String)
    }

    /// Why an address cannot be listened on.
    public enum ListenProblem: Equatable, Sendable {
        /// Another process listens there.
        case inUse
        /// Not an address of this machine.
        case notLocal
        /// A port below 1024 without the privilege.
        case privileged
        /// The socket's own reason.
        case other(String)

        /// The problem a failed bind's `errno` names (`nil`: not a socket error), `otherwise` its words.
        public init(errno: Int32?, otherwise: String) {
            switch errno {
            case EADDRINUSE?: self = .inUse
            case EADDRNOTAVAIL?: self = .notLocal
            case EACCES?: self = .privileged
            default: self = .other(otherwise)
            }
        }
    }

    /// Why a target cannot be probed as given.
    public enum TargetProblem: Equatable, Sendable {
        /// Certificate options on a url without TLS.
        case certificatesWithoutTLS
        /// An executor on a transport other than gRPC.
        case executorOverGRPCOnly(host: String, port: Int)
        /// A Deployment over WebSocket.
        case noWebSocketDeployment
        /// `wss://` to an IP address.
        case webSocketTLSNeedsHostName(port: Int)
        /// Certificate files that do not load; the TLS library's reason.
        case unloadableCertificates(files: [String], reason: String)
    }

    /// The error's line for a person, with `name` giving each input's name (`--interval`, or `interval` in a
    /// configuration file). One line, whatever the values hold.
    public func message(naming name: (Input) -> String) -> String {
        let text: String
        switch self {
        case .invalid(let input, let value, let problem): text = Self.message(input, value, problem, name)
        case .unsupportedTarget(let target, let problem): text = "\(target): " + Self.message(problem, name)
        case .storage(let problem): text = problem.message(naming: name)
        case .recorderRunning(let running):
            text = "another recorder is writing to \(running.location): pid \(running.pid) on \(running.host) since "
                + "\(TimeText.rfc3339(running.sinceMs)) (run \(running.runId), vantage \(running.vantage)); stop it "
                + "first, record from another \(name(.vantage)), or into another \(name(.database)) (several targets "
                + "fit in one recorder: give them all, or \(name(.config)))"
        }
        return text.oneLine(limit: 2_000)
    }

    /// The line with the command's names for the inputs.
    public var description: String { message { "--\($0.rawValue)" } }

    private static func message(_ input: Input, _ value: String, _ problem: Problem, _ name: (Input) -> String)
        -> String
    {
        let named = name(input)
        switch problem {
        case .notADuration:
            return "\(named) '\(value)' is not a duration; write a number and a unit, e.g. 250ms, 10s, 5m, 2h, 7d"
        case .negativeDuration:
            return "\(named) '\(value)': a duration is never negative; write \(value.drop { $0 == "-" || $0 == " " })"
        case .notATime:
            return "\(named) '\(value)' is not a time; write a duration back from now (90s, 15m, 24h, 7d), 'now', "
                + "'today', 'yesterday', a date (2026-11-24), a time (2026-11-24T10:00, read in \(name(.timeZone))) "
                + "or 2026-11-24T10:00:00Z"
        case .negativeTime:
            return "\(named) '\(value)': a duration already counts back from now; write "
                + "\(value.drop { $0 == "-" || $0 == " " })"
        case .bareNumber:
            return "\(named) '\(value)': a bare number is unix seconds (9 digits or more); for a duration add a unit, "
                + "e.g. \(value)m or \(value)h"
        case .notATimeZone:
            return "\(named) '\(value)' is not a time zone; use an IANA name like Europe/Berlin, UTC, or an offset "
                + "like +01:00"
        case .notAKind:
            return "\(named) '\(value)' is not a kind; use flow, deployment, executor or gateway"
        case .below(let minimum):
            return "\(named) must be at least \(minimum)"
        case .belowCount(let minimum):
            return "\(named) must be \(minimum) or more"
        case .moreSuccessesThanAttempts:
            return "\(named) must be between 1 and the number of attempts"
        case .url(let problem):
            return message(problem, url: value)
        case .notRecorded(let known):
            return "\(named) '\(value)' is not a recorded target; known: "
                + (known.isEmpty ? "none yet" : known.sorted().joined(separator: ", "))
        case .unknownVantage(let known):
            return "\(named) '\(value)': no recorder recorded from there; known: "
                + (known.isEmpty ? "none yet" : known.joined(separator: ", "))
        case .prunedHistory:
            return "\(named) '\(value)': prune deleted raw rounds of this history, and a copy needs every round to "
                + "make the same rollups; copy a backup made before pruning"
        case .noSuchReadableFile:
            return "\(named) '\(value)': no such readable file; give the path of a PEM file"
        case .without(let other):
            return "\(named) and \(name(other)) go together; give both or neither"
        case .emptyWindow:
            return "\(name(.since)) must be before \(name(.until)); the window is empty or reversed"
        case .noSuchMaintenanceWindow:
            return "\(named) \(value): no maintenance window has that id; see them with annotate --list"
        case .deletedAlready(let atMs):
            return "\(named) \(value): that maintenance window was deleted already, at \(TimeText.rfc3339(atMs))"
        case .cannotListen(let problem):
            let reason = switch problem {
            case .inUse: "another process already listens there; give a free port, or stop that process"
            case .notLocal: "not an address of this machine; give one of its addresses, e.g. 127.0.0.1"
            case .privileged: "ports below 1024 need privileges; give a port above 1023"
            case .other(let text): "cannot listen there (\(text)); give a free HOST:PORT of this machine"
            }
            return "\(named) \(value): \(reason)"
        case .databaseURL(let problem):
            return "\(named) '\(value)': " + message(problem)
        case .notifyURL(let problem):
            let reason = switch problem {
            case .notHTTP(let scheme): "scheme '\(scheme)' is not http or https"
            case .noHost: "no host"
            case .malformed: "not a url"
            }
            // `value` is the url with its credentials, path and query hidden (``NotificationDestination``).
            return "\(named) \(value.isEmpty ? "" : "'\(value)' ")\(reason); give the http:// or https:// url of a "
                + "webhook receiver, e.g. https://hooks.example.com/services/…"
        case .notAFormat(let known):
            return "\(named) '\(value)' is not a format; use " + known.joined(separator: " or ")
        case .noSuchCommand:
            return "\(named) '\(value)': no such command; give a program on the PATH or the path of an executable file"
        case .notAnAuthFile:
            return "\(named) \(value): write one line, 'bearer TOKEN' or 'basic USER:PASSWORD'"
        case .notHostAndPort:
            return "\(named) '\(value)' is not HOST:PORT; e.g. 127.0.0.1:8080"
        case .notOneOf(let known):
            return "\(named) '\(value)': use " + known.joined(separator: ", ")
        }
    }

    private static func message(_ problem: DatabaseURLProblem) -> String {
        let form = "write postgres://USER@HOST:PORT/DATABASE, with ?sslmode=disable|prefer|require|verify-full and "
            + "&sslrootcert=CA.pem as needed"
        return switch problem {
        case .unknownScheme(let scheme): "unknown scheme '\(scheme)'; \(form), or give the path of a SQLite file"
        case .noHost: "no host; \(form)"
        case .badPort(let port): "port '\(port)' must be a number from 1 to 65535"
        case .unknownParameter(let name): "unknown parameter '\(name)'; the parameters are sslmode and sslrootcert"
        case .badSSLMode(let mode): "sslmode '\(mode)' is not one of disable, prefer, require, verify-full"
        case .malformed: "not a url; \(form) (escape reserved characters of the user or password as %XX)"
        }
    }

    private static func message(_ problem: URLProblem, url: String) -> String {
        switch problem {
        case .unknownScheme(let scheme):
            "url '\(url)': unknown scheme '\(scheme)'; use grpc://, http://, ws:// (or grpcs://, https://, wss:// "
                + "for TLS) HOST:PORT"
        case .credentials:
            "url '\(url)' carries credentials (USER:PASSWORD@); jina-history stores and prints urls, so remove them "
                + "and give only HOST:PORT"
        case .path: "url '\(url)' has a path; give only HOST:PORT (Jina serves readiness at fixed paths)"
        case .noPort: "url '\(url)' has no port; write it as HOST:PORT"
        case .noHost: "url '\(url)' has no host; write it as HOST:PORT"
        case .badPort(let port): "url '\(url)': port '\(port)' must be a number from 1 to 65535"
        }
    }

    private static func message(_ problem: TargetProblem, _ name: (Input) -> String) -> String {
        switch problem {
        case .certificatesWithoutTLS:
            "certificate options apply to TLS urls only; write the url as grpcs://, https:// or wss://"
        case .executorOverGRPCOnly(let host, let port):
            "executors are probed over gRPC; use grpc://\(host):\(port) \(name(.kind)) executor"
        case .noWebSocketDeployment:
            "Jina has no WebSocket Deployments; probe the Deployment over grpc:// or http://"
        case .webSocketTLSNeedsHostName(let port):
            "wss:// needs a host name (the WebSocket client sends it as TLS SNI, which cannot be an IP address); use "
                + "the name on the server's certificate, e.g. wss://localhost:\(port)"
        case .unloadableCertificates(let files, let reason):
            "cannot load the TLS files (\(files.joined(separator: ", "))): \(reason); give PEM certificates and an "
                + "unencrypted PEM key"
        }
    }
}

/// Why a store cannot be used: typed, with the store's own words and code where it gave them.
public struct StorageProblem: Equatable, Sendable {
    /// What is wrong.
    public enum Reason: Equatable, Sendable {
        /// There is no history there.
        case notFound
        /// The store exists but holds no history yet (a recorder may be creating it).
        case noHistoryYet
        /// The path is a directory.
        case isDirectory
        /// The store, or its directory, cannot be created; the system's reason.
        case cannotCreate(String)
        /// Written by a newer jina-history: the store's schema version and this binary's.
        case newerSchema(found: Int, known: Int)
        /// Not a history, or damaged.
        case notAHistory
        /// Not writable.
        case readOnly
        /// The disk is full.
        case full
        /// A read or write failed.
        case inputOutput
        /// Something the store keeps is damaged; what, and what to do.
        case damaged(String)
        /// The store answered out of the order asked (its query plan changed).
        case outOfOrder(String)
        /// The recorder's last rounds could not be written: how many.
        case unwritten(rounds: Int)
        /// The server could not be reached (refused, no route, unknown host): the network's reason is the detail.
        case unreachable
        /// The server refused the login: its words are the detail.
        case authentication
        /// The server has no database of that name.
        case noSuchDatabase
        /// The server did not answer within the deadline, in ms.
        case timedOut(afterMs: Int64)
        /// TLS to the server failed: the reason is the detail.
        case tls
        /// Any other failure of the engine.
        case other
    }

    /// The store, as it may be printed.
    public var location: String
    /// What is wrong.
    public var reason: Reason
    /// The engine's own words, when it gave some.
    public var detail: String
    /// The engine's code (SQLite's result code), when it gave one.
    public var code: Int32?

    /// Creates a problem.
    public init(location: String, reason: Reason, detail: String = "", code: Int32? = nil) {
        self.location = location
        self.reason = reason
        self.detail = detail
        self.code = code
    }

    /// The problem's line, with `name` giving the inputs' names (the database's).
    public func message(naming name: (JinaHistoryError.Input) -> String) -> String {
        let db = name(.database)
        switch reason {
        case .notFound:
            return "no history database at \(location); record first (jina-history record URL) or pass \(db) PATH"
        case .noHistoryYet:
            return "\(location) holds no history yet (a recorder may be creating it right now); record first, or retry"
        case .isDirectory:
            return "\(location) is a directory; pass the path of a database file with \(db)"
        case .cannotCreate(let why):
            return "cannot create \(location): \(why); check that its directory is writable, or pass another \(db)"
        case .newerSchema(let found, let known):
            return "\(location) has schema version \(found), newer than this jina-history knows (\(known)); upgrade "
                + "jina-history to read or record it"
        case .notAHistory:
            return "\(location): \(detail); it is not a jina-history database or is damaged; pass another \(db)"
        case .readOnly:
            return "\(location): \(detail); check that the file and its directory are writable"
        case .full:
            return "\(location): \(detail); the disk is full; free space and retry"
        case .inputOutput:
            return "\(location): \(detail); a read or write failed (disk full, file-size limit, failing disk); free "
                + "space or pass another \(db)"
        case .damaged(let what):
            return what
        case .outOfOrder(let what):
            return "\(what), so no report is made from them; please report this with the output of `sqlite3 --version`"
        case .unwritten(let rounds):
            return "\(detail) (\(rounds) finished round(s) were not written; the run will read as crashed)"
        case .unreachable:
            return "cannot reach \(location): \(detail); check that the server runs and that the host and port are right"
        case .authentication:
            return "\(location): the server refused the login (\(detail)); check the user and the password (in the "
                + "url, PGPASSWORD or ~/.pgpass)"
        case .noSuchDatabase:
            return "\(location): \(detail); create the database first (createdb NAME), or pass another \(db)"
        case .timedOut(let ms):
            return "\(location) did not answer within \(ms) ms; check that the server is up and reachable"
        case .tls:
            return "\(location): TLS to the server failed (\(detail)); check sslmode and sslrootcert in the url"
        case .other:
            return "\(location): \(detail); check the database, or pass another \(db)"
        }
    }
}

/// The recorder already writing to a store, as its run row says.
public struct RunningRecorder: Equatable, Sendable {
    /// The store.
    public var location: String
    /// Its process id.
    public var pid: Int
    /// Its host.
    public var host: String
    /// Its vantage, which the refused recorder shares.
    public var vantage: String
    /// When it started, UTC epoch ms.
    public var sinceMs: Int64
    /// Its run's id.
    public var runId: Int64

    /// Creates a description of a running recorder.
    public init(location: String, pid: Int, host: String, vantage: String, sinceMs: Int64, runId: Int64) {
        self.location = location
        self.pid = pid
        self.host = host
        self.vantage = vantage
        self.sinceMs = sinceMs
        self.runId = runId
    }
}

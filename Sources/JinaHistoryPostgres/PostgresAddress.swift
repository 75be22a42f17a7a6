public import Foundation
import JinaHistoryCore

/// Where a PostgreSQL history lives, from a `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…&sslrootcert=…]`
/// url, with libpq's fallbacks (docs/storage.md, "PostgreSQL"): PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE, and
/// the password from the url, else PGPASSWORD, else the password file (PGPASSFILE or ~/.pgpass). The password is
/// kept for the login and never printed: ``description`` leaves it out, and so does every error.
public struct PostgresAddress: Sendable, CustomStringConvertible {
    /// How the connection uses TLS, as libpq's `sslmode` (`prefer` when not given, as libpq).
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, without checking its certificate; plain TCP otherwise.
        case prefer
        /// TLS always, without checking the server's certificate.
        case require
        /// TLS always; the certificate must chain to `sslrootcert` (or the system's roots) and name the host.
        case verifyFull = "verify-full"
    }

    /// The login name.
    public var user: String
    /// Host name or IP address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Database name.
    public var database: String
    /// TLS to the server.
    public var tlsMode: TLSMode
    /// The CA certificates (PEM) that `verify-full` trusts, instead of the system's.
    public var rootCertificatePath: String?
    /// The password, from wherever it was found; `nil` for none (trust or peer authentication).
    let password: String?

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads a url, with the environment's fallbacks and the password file in `homeDirectory`.
    ///
    /// - throws: ``JinaHistoryError`` (`.invalid(.database, …)`) naming what is wrong, the url shown without its
    ///   password.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                homeDirectory: String = NSHomeDirectory()) throws {
        let shown = Self.redacted(url)
        let fail = { (problem: JinaHistoryError.DatabaseURLProblem) in
            JinaHistoryError.invalid(.database, value: shown, .databaseURL(problem))
        }
        guard let parts = URLComponents(string: url), let scheme = parts.scheme else { throw fail(.malformed) }
        guard scheme == "postgres" || scheme == "postgresql" else { throw fail(.unknownScheme(scheme)) }
        let value = { (name: String) in environment[name].flatMap { $0.isEmpty ? nil : $0 } }

        guard let host = parts.host.flatMap({ $0.isEmpty ? nil : $0 }) ?? value("PGHOST") else { throw fail(.noHost) }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if let port = parts.port {
            guard (1...65_535).contains(port) else { throw fail(.badPort(String(port))) }
            self.port = port
        } else if let text = value("PGPORT") {
            guard let port = Int(text), (1...65_535).contains(port) else { throw fail(.badPort(text)) }
            self.port = port
        } else {
            port = 5_432
        }
        user = parts.user.flatMap { $0.isEmpty ? nil : $0 } ?? value("PGUSER") ?? value("USER") ?? "postgres"
        let path = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        database = (path.removingPercentEncoding).flatMap { $0.isEmpty ? nil : $0 } ?? value("PGDATABASE") ?? user

        var mode = value("PGSSLMODE")
        var rootCertificate = value("PGSSLROOTCERT")
        for item in parts.queryItems ?? [] {
            switch item.name {
            case "sslmode": mode = item.value ?? ""
            case "sslrootcert": rootCertificate = item.value
            default: throw fail(.unknownParameter(item.name))
            }
        }
        if let mode {
            guard let known = TLSMode(rawValue: mode) else { throw fail(.badSSLMode(mode)) }
            tlsMode = known
        } else {
            tlsMode = .prefer
        }
        rootCertificatePath = rootCertificate

        let passFile = value("PGPASSFILE") ?? "\(homeDirectory)/.pgpass"
        password = parts.password ?? value("PGPASSWORD")
            ?? PasswordFile(path: passFile)?.password(host: self.host, port: self.port, database: database, user: user)
    }

    /// The url as it may be printed and stored: no password, the port and database always shown.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        var text = "postgres://\(Self.escaped(user))@\(shownHost):\(port)/\(Self.escaped(database))"
        if tlsMode != .prefer { text += "?sslmode=\(tlsMode.rawValue)" }
        return text
    }

    /// `url` as it may be shown in an error, its password (between `:` and `@` after the scheme) replaced.
    public static func redacted(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" }
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else {
            return url
        }
        return url[..<url.index(after: colon)] + "***" + url[at...]
    }

    private static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@/")))
            ?? text
    }
}

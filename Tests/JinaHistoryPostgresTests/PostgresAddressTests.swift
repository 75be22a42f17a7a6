import Foundation
import JinaHistoryCore
@testable import JinaHistoryPostgres
import JinaHistoryTestSupport
import Testing

/// `postgres://` urls as users write them, libpq's fallbacks, and passwords that never show.
@Suite("PostgreSQL addresses")
struct PostgresAddressTests {
    private let home = FileManager.default.temporaryDirectory.appending(path: "jh-pgpass-\(UUID().uuidString)")

    @Test("a full url, and libpq's defaults and environment for what it leaves out")
    func fallbacks() throws {
        let full = try PostgresAddress(url: "postgresql://ana@db.example:6543/history?sslmode=verify-full&sslrootcert=/ca.pem",
                                       environment: [:], homeDirectory: "/nonexistent")
        #expect(full.user == "ana" && full.host == "db.example" && full.port == 6_543 && full.database == "history")
        #expect(full.tlsMode == .verifyFull && full.rootCertificatePath == "/ca.pem")
        #expect(full.description == "postgres://ana@db.example:6543/history?sslmode=verify-full")

        let bare = try PostgresAddress(url: "postgres://db.example", environment: ["USER": "ops"],
                                       homeDirectory: "/nonexistent")
        #expect(bare.user == "ops" && bare.port == 5_432 && bare.database == "ops" && bare.tlsMode == .prefer)
        #expect(bare.description == "postgres://ops@db.example:5432/ops")

        let environment = ["PGUSER": "rec", "PGPORT": "7000", "PGDATABASE": "jh", "PGSSLMODE": "require"]
        let fromEnvironment = try PostgresAddress(url: "postgres://[::1]", environment: environment,
                                                  homeDirectory: "/nonexistent")
        #expect(fromEnvironment.host == "::1" && fromEnvironment.description == "postgres://rec@[::1]:7000/jh?sslmode=require")
    }

    @Test("a password is taken from the url, PGPASSWORD or the password file, and never printed")
    func passwords() throws {
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let passFile = home.appending(path: ".pgpass")
        try """
            # host:port:database:user:password
            other:5432:*:ana:wrong
            db.example:*:history:ana:s3cr\\:et
            """.write(to: passFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passFile.path)

        let fromFile = try PostgresAddress(url: "postgres://ana@db.example/history", environment: [:],
                                           homeDirectory: home.path)
        #expect(fromFile.password == "s3cr:et")
        let fromEnvironment = try PostgresAddress(url: "postgres://ana@db.example/history",
                                                  environment: ["PGPASSWORD": "env-pass"], homeDirectory: home.path)
        #expect(fromEnvironment.password == "env-pass")
        let fromURL = try PostgresAddress(url: "postgres://ana:url%40pass@db.example/history",
                                          environment: ["PGPASSWORD": "env-pass"], homeDirectory: home.path)
        #expect(fromURL.password == "url@pass")
        #expect(!fromURL.description.contains("pass") && "\(fromURL)" == "postgres://ana@db.example:5432/history")

        // As libpq: a password file others may read is ignored.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: passFile.path)
        let ignored = try PostgresAddress(url: "postgres://ana@db.example/history", environment: [:],
                                          homeDirectory: home.path)
        #expect(ignored.password == nil)
    }

    @Test("a bad url is one line naming what is wrong, without the password", arguments: [
        ("mysql://ana:hunter2@db/x", JinaHistoryError.DatabaseURLProblem.unknownScheme("mysql"), "unknown scheme 'mysql'"),
        ("postgres://ana:hunter2@db:99999/x", .badPort("99999"), "port '99999' must be a number from 1 to 65535"),
        ("postgres://ana:hunter2@db/x?sslmode=allow", .badSSLMode("allow"), "not one of disable, prefer, require"),
        ("postgres://ana:hunter2@db/x?ssl=true", .unknownParameter("ssl"), "unknown parameter 'ssl'"),
        ("postgres://ana:hunter2@/x", .noHost, "no host"),
        ("postgres://ana:hunter2@db /x", .malformed, "not a url"),
    ])
    func badURLs(url: String, problem: JinaHistoryError.DatabaseURLProblem, words: String) throws {
        let error = try #require(throws: JinaHistoryError.self) {
            try PostgresAddress(url: url, environment: [:], homeDirectory: "/nonexistent")
        }
        let shown = url.replacingOccurrences(of: "hunter2", with: "***")
        #expect(error == .invalid(.database, value: shown, .databaseURL(problem)))
        let line = error.description
        #expect(line.contains(words) && line.hasPrefix("--db '\(shown)'"), "\(line)")
        #expect(!line.contains("hunter2") && !line.contains("\n"))
    }
}

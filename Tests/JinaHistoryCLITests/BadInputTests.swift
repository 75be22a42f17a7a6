import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite
import JinaHistoryTestSupport
import JinaHistoryFakes
import Testing

/// The bad-input catalogue: every command with wrong values gets one line naming the problem and the fix, exit
/// code 2, no stack trace, and no database created or changed.
@Suite("bad input catalogue", .serialized)
struct BadInputTests {
    /// One wrong command line and a phrase its error must contain. `%DIR%` is a directory with a malformed
    /// config file `bad.yaml`; `--db` is added by the test.
    struct Row: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var expected: String
        /// Whether the command reads an existing database (so a missing one is a different, storage error).
        var readsDatabase = false
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let rows: [Row] = [
        Row(arguments: ["record"], expected: "no targets; give urls"),
        Row(arguments: ["record", "ftp://127.0.0.1:1"], expected: "unknown scheme 'ftp'; use grpc://"),
        Row(arguments: ["record", "grpc://127.0.0.1:70000"], expected: "must be a number from 1 to 65535"),
        Row(arguments: ["record", "grpc://127.0.0.1:0"], expected: "must be a number from 1 to 65535"),
        Row(arguments: ["record", "grpc://127.0.0.1"], expected: "has no port; write it as HOST:PORT"),
        Row(arguments: ["record", "grpc://:5"], expected: "has no host; write it as HOST:PORT"),
        Row(arguments: ["record", "grpc://127.0.0.1:1/dry_run"], expected: "has a path; give only HOST:PORT"),
        Row(arguments: ["record", "http://user:secret@127.0.0.1:1"], expected: "'http://***@127.0.0.1:1' carries credentials"),
        Row(arguments: ["record", "wss://127.0.0.1:1"], expected: "wss:// needs a host name"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--interval", "0s"], expected: "--interval must be at least 10ms"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--interval=-5s"], expected: "a duration is never negative; write 5s"),
        // Negative numbers given as separate words reach our own messages, not ArgumentParser's "Missing value".
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--interval", "-5s"], expected: "a duration is never negative"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--retries", "-1"], expected: "--retries must be 0 or more"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--failure-threshold", "-2"], expected: "must be 1 or more"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--rounds", "-3"], expected: "--rounds must be 1 or more"),
        // No warning before the error: a command that is refused says one thing.
        Row(arguments: ["record", "https://127.0.0.1:1", "--insecure", "--rounds", "0"], expected: "--rounds must be 1 or more"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--interval", "100ms", "--timeout", "2s", "--metrics-listen", "9464"],
            expected: "--metrics-listen '9464' is not HOST:PORT"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--interval", "5"], expected: "'5' is not a duration; write a number and a unit"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--timeout", "0ms"], expected: "--timeout must be at least 1ms"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--retries=-1"], expected: "--retries must be 0 or more"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--retries", "many"], expected: "'many' is invalid for '--retries"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--retry-delay", "5parsecs"], expected: "'5parsecs' is not a duration"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--kind", "pod"], expected: "'pod' is not a kind; use flow"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--rounds", "0"], expected: "--rounds must be 1 or more"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--min-successful-attempts", "2"], expected: "between 1 and the number of attempts"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--failure-threshold", "0"], expected: "must be 1 or more"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--print-rounds", "sometimes"], expected: "one of 'auto', 'always' or 'never'"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--bogus"], expected: "Unknown option '--bogus'; see 'jina-history record --help'"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "grpc://127.0.0.1:2", "--name", "x"], expected: "give --name once per url"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "grpc://127.0.0.1:1"], expected: "two targets share a name"),
        Row(arguments: ["record", "https://127.0.0.1:1", "--ca-cert", "/nonexistent.pem"], expected: "no such readable file"),
        Row(arguments: ["record", "--config", "%DIR%/missing.yaml"], expected: "cannot read it"),
        Row(arguments: ["record", "--config", "%DIR%/bad.yaml"], expected: "bad.yaml: not valid YAML: line"),
        Row(arguments: ["record", "--config", "%DIR%/bad.yaml", "grpc://127.0.0.1:1"], expected: "give target urls or --config, not both"),
        Row(arguments: ["reprt"], expected: "unknown command 'reprt'; the commands are record, report, ping"),
        Row(arguments: ["report", "--since", "banana"], expected: "'banana' is not a time; write a duration"),
        Row(arguments: ["report", "--since", "-1h"], expected: "a duration already counts back from now; write 1h"),
        Row(arguments: ["report", "--since", "2999-01-01"], expected: "not before now; history ends now"),
        Row(arguments: ["report", "--fail-under", "-5"], expected: "must be a percentage from 0 to 100"),
        Row(arguments: ["report", "--label", "team"], expected: "--label 'team' is not KEY=VALUE"),
        Row(arguments: ["report", "--label", "team=search"], expected: "no target carries it; labels recorded: none",
            readsDatabase: true),
        Row(arguments: ["report", "--since", "1h", "--until", "2h"], expected: "--since must be before --until"),
        Row(arguments: ["report", "--tz", "Mars/Base"], expected: "'Mars/Base' is not a time zone"),
        Row(arguments: ["report", "--format", "pdf"], expected: "one of 'text', 'json', 'markdown', 'html' or 'svg-badge'; see"),
        Row(arguments: ["report", "--fail-under", "101"], expected: "must be a percentage from 0 to 100"),
        Row(arguments: ["report", "--merge-gap", "x"], expected: "'x' is not a duration"),
        Row(arguments: ["report", "--sort", "size"], expected: "one of 'time' and 'duration'"),
        Row(arguments: ["report", "--target", "nope"], expected: "known: flow", readsDatabase: true),
        Row(arguments: ["ping", "pod", "grpc://127.0.0.1:1"], expected: "'pod' is not a kind"),
        Row(arguments: ["ping", "flow"], expected: "Missing expected argument '<url>'; see 'jina-history ping --help'"),
        Row(arguments: ["ping", "flow", "grpc://127.0.0.1:1", "--timeout", "-1"], expected: "every jina-history call has a deadline"),
        Row(arguments: ["ping", "flow", "grpc://127.0.0.1:1", "--attempts", "0"], expected: "--attempts must be 1 or more"),
        Row(arguments: ["ping", "flow", "grpc://127.0.0.1:1", "--attempts", "-1"], expected: "--attempts must be 1 or more"),
        Row(arguments: ["ping", "flow", "grpc://127.0.0.1:1", "--timeout", "-5"], expected: "every jina-history call has a deadline"),
        Row(arguments: ["ping", "flow", "grpc://127.0.0.1:1", "--timeout", "1x"], expected: "--timeout '1x' is not a duration"),
        Row(arguments: ["ping", "flow", "grpc://127.0.0.1:1", "--every", "5m"], expected: "--every is the period of a recorded series; add --record"),
        Row(arguments: ["ping", "flow", "grpc://127.0.0.1:1", "--record", "--every", "10ms"], expected: "--every must be at least 1s"),
        Row(arguments: ["ping", "flow", "127.0.0.1:99999", "--record"], expected: "must be a number from 1 to 65535"),
        Row(arguments: ["annotate", "--from", "2h", "--to", "1h"], expected: "say what to annotate: --maintenance"),
        Row(arguments: ["annotate", "--list", "--delete", "1"], expected: "say what to annotate: --maintenance"),
        Row(arguments: ["annotate", "--maintenance", "--from", "2h"], expected: "--maintenance needs --from and --to"),
        Row(arguments: ["annotate", "--delete", "99"], expected: "--delete 99: no maintenance window has that id",
            readsDatabase: true),
        Row(arguments: ["prune", "--keep-raw", "10m"], expected: "--keep-raw must be at least 1h"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--notify", "ftp://user:secret@hooks.example.com/T/SECRET"],
            expected: "--notify 'ftp://hooks.example.com/…' scheme 'ftp' is not http or https; give the http:// or https:// url"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--notify", "http://127.0.0.1:9", "--notify-format", "teams"],
            expected: "--notify-format 'teams' is not a format; use json or slack"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--on-transition", "no-such-program-jh --token SECRET"],
            expected: "--on-transition 'command no-such-program-jh …': no such command"),
        Row(arguments: ["record", "grpc://127.0.0.1:1", "--notify", "http://127.0.0.1:9", "--notify-repeat", "0s"],
            expected: "--notify-repeat must be at least 1s"),
        Row(arguments: ["prune", "--keep-raw", "soon"], expected: "--keep-raw"),
        Row(arguments: ["prune"], expected: "--keep-raw"),
        Row(arguments: ["annotate", "--maintenance", "--from", "banana", "--to", "1h"], expected: "--from 'banana' is not a time"),
        Row(arguments: ["annotate", "--maintenance", "--from", "2026-11-24T10:00", "--to", "2026-11-24T09:00"],
            expected: "--from must be before --to"),
        Row(arguments: ["annotate", "--maintenance", "--from", "2h", "--to", "1h", "--target", "nope"],
            expected: "--target 'nope' is not a recorded target; known: flow", readsDatabase: true),
        Row(arguments: ["export", "--what", "everything"], expected: "export rounds, attempts, transitions or outages"),
        Row(arguments: ["export", "--what", "rounds", "--format", "xml"], expected: "use csv or ndjson"),
        Row(arguments: ["export", "--what", "rounds", "--target", "nope"], expected: "known: flow", readsDatabase: true),
        Row(arguments: ["timeline", "--target", "nope"], expected: "known: flow", readsDatabase: true),
        Row(arguments: ["timeline", "--since", "2d", "--until", "3d"], expected: "--since must be before --until"),
    ]

    @Test("one line, exit 2, nothing created or changed", arguments: rows)
    func rejected(_ row: Row) async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("targets:\n  - url: [1, 2\n".utf8).write(to: directory.appending(path: "bad.yaml"))
        let arguments = row.arguments.map { $0.replacingOccurrences(of: "%DIR%", with: directory.path) }

        // An existing history (one recorded target named "flow") stays byte for byte as it was.
        let existing = directory.appending(path: "history.sqlite").path
        do {
            // Closed before the bytes are taken, so the whole history is in the main file, not in its WAL.
            let writer = try HistoryWriter(path: existing)
            let target = Target(name: "flow", kind: .flow, endpoint: try Endpoint(parsing: "127.0.0.1:1"))
            let (runId, _) = try writer.beginRun(
                startedMs: 1_000, host: "test", pid: 1, version: "test",
                targets: [ScheduledTarget(target: target, policy: try ProbePolicy(intervalMs: 1_000, timeoutMs: 500))])
            try writer.finishRun(runId, stoppedMs: 2_000)
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: existing))
        try check(await runJinaHistory(arguments + ["--db", existing]), row)
        #expect(try Data(contentsOf: URL(fileURLWithPath: existing)) == before, "the database changed")

        if !row.readsDatabase {
            let missing = directory.appending(path: "new/history.sqlite")
            try check(await runJinaHistory(arguments + ["--db", missing.path]), row)
            #expect(!FileManager.default.fileExists(atPath: missing.deletingLastPathComponent().path),
                    "a database (or its directory) was created")
        }
    }

    @Test("a postgres:// url no server answers, or a malformed one: one line without the password; nothing created")
    func postgresURLs() async throws {
        let url = "postgres://ana:hunter2@127.0.0.1:1/history"
        let junk = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appending(path: "postgres:")
        for arguments in [
            ["record", "grpc://127.0.0.1:1", "--rounds", "1", "--db", url], ["ping", "flow", "grpc://127.0.0.1:1", "--record", "--db", url],
            ["report", "--db", url], ["timeline", "--db", url], ["export", "--what", "rounds", "--db", url],
            ["annotate", "--list", "--db", url], ["prune", "--keep-raw", "2d", "--db", url], ["db", "stats", "--db", url],
            ["db", "seed", "--db", url], ["report", "--db", "postgres://ana:hunter2@127.0.0.1:1/h?sslmode=maybe"],
        ] {
            let result = try await runJinaHistory(arguments)
            let malformed = arguments.last!.contains("maybe")
            #expect(result.status == (malformed ? 2 : 3) && result.stderr.split(separator: "\n").count == 1,
                    "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("hunter2"), "\(result.stderr)")
            #expect(result.stderr.contains(malformed ? "'postgres://ana:***@127.0.0.1:1/h" : "postgres://ana@127.0.0.1:1/history"),
                    "\(result.stderr)")
            #expect(result.stderr.contains(malformed ? "sslmode 'maybe'" : "cannot reach"), "\(result.stderr)")
        }
        let fromEnvironment = try await runJinaHistory(["report"], environment: ["JINA_HISTORY_DB": url])
        #expect(fromEnvironment.status == 3 && !fromEnvironment.stderr.contains("hunter2"), "\(fromEnvironment.stderr)")
        #expect(!FileManager.default.fileExists(atPath: junk.path), "a SQLite file was made of the url")
    }

    @Test("PostgreSQL: a wrong password, or a database of a newer schema: one line, exit 3, the password never shown, the database untouched",
          .enabled(if: TestPostgresServer.isRunning))
    func postgresRefusals() async throws {
        let wrong = "postgres://jh_password:not-the-password@127.0.0.1:\(TestPostgresServer.port)/postgres?sslmode=disable"
        let login = try await runJinaHistory(["report", "--db", wrong])
        #expect(login.status == 3 && login.stderr.split(separator: "\n").count == 1, "\(login.stderr)")
        #expect(login.stderr.contains("refused the login") && !login.stderr.contains("not-the-password"),
                "\(login.stderr)")

        let database = try await TestPostgresServer.freshDatabase()
        let recorded = try await runJinaHistory(["record", "127.0.0.1:1", "--db", database, "--rounds", "1"])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let name = try #require(URLComponents(string: database)?.path.dropFirst())
        try await TestPostgresServer.psql(String(name), "INSERT INTO jina_history_schema VALUES (99, '0099_future', 0)")
        for arguments in [["report"], ["record", "127.0.0.1:1", "--rounds", "1"], ["db", "stats"]] {
            let result = try await runJinaHistory(arguments + ["--db", database])
            #expect(result.status == 3 && result.stderr.contains("schema version 99, newer than this jina-history"),
                    "\(arguments): \(result.stderr)")
        }
        let stats = try await runJinaHistory(["export", "--what", "rounds", "--db", database])
        #expect(stats.status == 3, "a newer history is not read either: \(stats.stderr)")
    }

    private func check(_ result: CommandResult, _ row: Row) throws {
        #expect(result.status == 2, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("jina-history: error: "), "\(result.stderr)")
        #expect(result.stderr.contains(row.expected), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(!result.stderr.contains("secret") && !result.stderr.contains("SECRET"), "a credential was printed")
    }
}

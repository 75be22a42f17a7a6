import Foundation
import GRDB
import JinaHistoryTestSupport
import JinaHistoryFakes
import Testing

/// `jina-history serve` as a user and their tools meet it: the API is the CLI's JSON, bad requests are 4xx with
/// the parameter named, pages escape server text, credentials are required when configured, and every answer
/// carries the security headers.
@Suite("serve", .serialized)
struct ServeCommandTests {
    /// A running `serve` of `database` and its base url; stopped by PID by the caller.
    private func serve(_ database: String, _ extra: [String] = []) async throws -> (ChildProcess, String) {
        let server = try ChildProcess(TestPaths.binary, ["serve", "--db", database, "--listen", "127.0.0.1:0"] + extra)
        try await waitUntil("serve to listen", timeout: .seconds(20)) {
            server.lines.contains { $0.contains("read-only at http://") } || !server.isRunning
        }
        let line = try #require(server.lines.first { $0.contains("read-only at http://") }, "\(server.standardError)")
        let address = line[line.range(of: "http://")!.upperBound...].prefix { $0 != "/" }
        return (server, "http://\(address)")
    }

    /// A seeded history of two targets over two days, with outages, and its first and last slot.
    private func seeded(in directory: URL) async throws -> (String, String, String) {
        let database = directory.appending(path: "h.sqlite").path
        let seeded = try await runJinaHistory(["db", "seed", "--db", database, "--targets", "2", "--span", "2d",
                                               "--interval", "10s", "--outage-odds", "500"])
        #expect(seeded.status == 0, "\(seeded.stderr)")
        let (first, last) = try await DatabaseQueue(path: database).read { db in
            (try Int64.fetchOne(db, sql: "SELECT min(scheduled_ms) FROM round")!,
             try Int64.fetchOne(db, sql: "SELECT max(scheduled_ms) FROM round")!)
        }
        // Six hours from the middle: outages and a timeline of a few hundred kilobytes.
        let middle = (first + last) / 2
        return (database, iso(middle), iso(middle + 6 * 3_600_000))
    }

    private func iso(_ ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1_000))
    }

    @Test("the API answers what the CLI prints for the same window, valid by the same schemas; the OpenAPI document validates")
    func apiIsTheCLI() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (database, since, until) = try await seeded(in: directory)
        let (server, base) = try await serve(database)
        defer { Task { await server.stop() } }
        let window = "since=\(since)&until=\(until)"

        let report = try await fetch("\(base)/api/v1/report?\(window)&target=seed-1")
        #expect(report.status == 200 && report.headers["content-type"] == "application/json")
        let cliReport = try await runJinaHistory(["report", "--db", database, "--since", since, "--until", until,
                                                  "--target", "seed-1", "--format", "json"])
        // Equal but for when each was made.
        func withoutGeneratedAt(_ text: String) -> String {
            text.replacingOccurrences(of: #""generated_at" *: *"[^"]*""#, with: "", options: .regularExpression)
                .trimmingCharacters(in: .newlines)
        }
        let (servedReport, printedReport) = (withoutGeneratedAt(report.body), withoutGeneratedAt(cliReport.stdout))
        #expect(servedReport == printedReport,
                "first difference at \(zip(servedReport, printedReport).prefix { $0 == $1 }.count): \(servedReport.suffix(from: servedReport.index(servedReport.startIndex, offsetBy: min(servedReport.count, zip(servedReport, printedReport).prefix { $0 == $1 }.count))).prefix(200)) vs \(printedReport.suffix(from: printedReport.index(printedReport.startIndex, offsetBy: min(printedReport.count, zip(servedReport, printedReport).prefix { $0 == $1 }.count))).prefix(200))")
        #expect(report.body.contains("\"failed_rounds\""), "the seeded window has outages")
        try await validateAgainstSchema(report.body)
        // Seen from the seeder's one vantage, the same report (`report --vantage seed`).
        let fromVantage = try await fetch("\(base)/api/v1/report?\(window)&target=seed-1&vantage=seed")
        #expect(withoutGeneratedAt(fromVantage.body) == printedReport)

        let timeline = try await fetch("\(base)/api/v1/timeline?\(window)")
        // Through a file: the test's pipe reader is not meant for a megabyte of output.
        let printedFile = directory.appending(path: "timeline.json").path
        let cliTimeline = try await runJinaHistory(
            ["-c", "\"$0\" timeline --db \"$1\" --since \"$2\" --until \"$3\" --format json > \"$4\"", TestPaths.binary,
             database, since, until, printedFile], binary: "/bin/sh")
        #expect(timeline.status == 200 && cliTimeline.status == 0)
        let (served, printed) = (timeline.body, try String(contentsOfFile: printedFile, encoding: .utf8))
        #expect(served == printed, "first difference at \(zip(served, printed).prefix { $0 == $1 }.count): \(served.count) vs \(printed.count) characters")
        try await validateAgainstSchema(timeline.body, schema: "timeline.schema.json")

        let export = try await fetch("\(base)/api/v1/export?what=outages&\(window)")
        let cliExport = try await runJinaHistory(["export", "--db", database, "--what", "outages", "--since", since,
                                                  "--until", until, "--format", "ndjson"])
        #expect(export.status == 200 && export.body.trimmingCharacters(in: .newlines) == cliExport.stdout.trimmingCharacters(in: .newlines))
        try await validateAgainstSchema(export.body, schema: "export.schema.json", ndjson: true)

        let badge = try await fetch("\(base)/badge/seed-0.svg?window=7d")
        #expect(badge.status == 200 && badge.headers["content-type"] == "image/svg+xml" && badge.body.hasPrefix("<svg"))

        let openAPI = try await fetch("\(base)/api/v1/openapi.json")
        let file = directory.appending(path: "openapi.json")
        try Data(openAPI.body.utf8).write(to: file)
        let validated = try await runJinaHistory(
            ["-c", "import sys; from openapi_spec_validator import validate; from openapi_spec_validator.readers import read_from_filename; validate(read_from_filename(sys.argv[1])[0]); print('valid')", file.path],
            binary: TestPaths.python)
        #expect(validated.stdout == "valid", "\(validated.stderr)")
        let health = try await fetch("\(base)/healthz")
        #expect(health.status == 200 && health.body == "ok\n")
    }

    @Test("bad requests are 4xx naming the parameter, never a crash or a file outside the history")
    func badRequests() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (database, _, _) = try await seeded(in: directory)
        let (server, base) = try await serve(database)
        defer { Task { await server.stop() } }
        let cases: [(String, Int, String?)] = [
            ("/api/v1/report?since=banana", 400, "since"),
            ("/api/v1/report?since=1h&until=2h", 400, "since"),
            ("/api/v1/report?tz=Mars/Olympus", 400, "tz"),
            ("/api/v1/report?target=nope", 404, "target"),
            ("/api/v1/report?vantage=nowhere", 404, "vantage"),
            ("/api/v1/timeline?target=nope", 404, "target"),
            ("/api/v1/export?what=everything", 400, "what"),
            ("/api/v1/export", 400, "what"),
            ("/targets/nope", 404, "target"),
            ("/targets/seed-0?outage=0", 400, "outage"),
            ("/targets/..%2f..%2f..%2fetc%2fpasswd", 404, "target"),
            ("/targets/%2e%2e/%2e%2e/etc/passwd", 404, nil),
            ("/badge/nope.svg", 404, "target"),
            ("/badge/seed-0.svg?window=forever", 400, "window"),
            ("/api/v1/report?since=" + String(repeating: "9", count: 5_000), 414, nil),
            ("/nothing/here", 404, nil),
        ]
        for (path, status, parameter) in cases {
            let answer = try await fetch(base + path)
            #expect(answer.status == status, "\(path): \(answer.status) \(answer.body)")
            #expect(!answer.body.contains("root:"), "\(path) read a file")
            #expect(answer.headers["content-security-policy"]?.contains("default-src 'none'") == true, "\(path)")
            #expect(answer.headers["x-content-type-options"] == "nosniff")
            if let parameter {
                let json = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
                #expect(json?["parameter"] as? String == parameter, "\(path): \(answer.body)")
                #expect((json?["error"] as? String)?.isEmpty == false)
            }
        }
        #expect(server.isRunning)
        #expect(try await fetch(base + "/healthz").status == 200)
    }

    @Test("with an auth file every path but /healthz needs its credentials; the secret is never printed")
    func authentication() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (database, _, _) = try await seeded(in: directory)
        let tokenFile = directory.appending(path: "token")
        try Data("# who may read\nbearer s3cr3t-TOKEN\n".utf8).write(to: tokenFile)
        let (server, base) = try await serve(database, ["--auth-file", tokenFile.path])
        #expect(try await fetch(base + "/").status == 401)
        let refused = try await fetch(base + "/api/v1/report", headers: ["Authorization": "Bearer wrong"])
        #expect(refused.status == 401 && refused.headers["www-authenticate"] == "Bearer realm=\"jina-history\"")
        #expect(try await fetch(base + "/api/v1/report", headers: ["Authorization": "Bearer s3cr3t-TOKEN"]).status == 200)
        #expect(try await fetch(base + "/healthz").status == 200)
        await server.stop()
        #expect(!server.standardError.contains("s3cr3t") && !server.lines.joined().contains("s3cr3t"))

        let basicFile = directory.appending(path: "basic")
        try Data("basic ops:pa55word\n".utf8).write(to: basicFile)
        let (basic, basicBase) = try await serve(database, ["--auth-file", basicFile.path])
        defer { Task { await basic.stop() } }
        let credentials = Data("ops:pa55word".utf8).base64EncodedString()
        #expect(try await fetch(basicBase + "/", headers: ["Authorization": "Basic \(credentials)"]).status == 200)
        #expect(try await fetch(basicBase + "/").headers["www-authenticate"]?.hasPrefix("Basic") == true)

        let badFile = directory.appending(path: "bad")
        try Data("token=hunter2\n".utf8).write(to: badFile)
        let refusedStart = try await runJinaHistory(["serve", "--db", database, "--auth-file", badFile.path])
        #expect(refusedStart.status == 2 && refusedStart.stderr.contains("write one line, 'bearer TOKEN' or 'basic USER:PASSWORD'"))
        #expect(!refusedStart.stderr.contains("hunter2"))
    }

    @Test("pages: server text stays text; loopback by default, a warning for any other address, a busy port in one line")
    func pagesAndAddresses() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "h.sqlite").path
        let hostile = "<img src=x onerror=alert(1)>"
        let recorded = try await runJinaHistory(["record", "grpc://127.0.0.1:1", "--name", hostile, "--interval", "100ms",
                                                 "--timeout", "50ms", "--rounds", "5", "--db", database, "--print-rounds", "never"])
        #expect(recorded.status == 0)
        let (server, base) = try await serve(database)
        defer { Task { await server.stop() } }
        #expect(base.hasPrefix("http://127.0.0.1:"))
        let status = try await fetch(base + "/")
        #expect(status.status == 200 && status.body.contains("&lt;img src=x onerror=alert(1)&gt;") && !status.body.contains(hostile))
        let encoded = hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let page = try await fetch(base + "/targets/\(encoded)?since=1h&outage=1")
        #expect(page.status == 200 && !page.body.contains(hostile) && page.body.contains("postmortem timeline"), "\(page.body.prefix(300))")
        #expect(!page.body.contains("<script"))

        let port = base.split(separator: ":").last.map(String.init) ?? ""
        let busy = try await runJinaHistory(["serve", "--db", database, "--listen", "127.0.0.1:\(port)"])
        #expect(busy.status == 2 && busy.stderr.contains("--listen 127.0.0.1:\(port): another process already listens there"),
                "\(busy.stderr)")
        let open = try ChildProcess(TestPaths.binary, ["serve", "--db", database, "--listen", "0.0.0.0:0"])
        try await waitUntil("the warning", timeout: .seconds(20)) { open.standardError.contains("which other machines can reach") }
        await open.stop()
    }

    @Test("on PostgreSQL: a seeded history served as the CLI reports it, the status page and /healthz answer",
          .enabled(if: TestPostgresServer.isRunning))
    func servesPostgres() async throws {
        let database = try await TestPostgresServer.freshDatabase()
        let seeded = try await runJinaHistory(["db", "seed", "--db", database, "--targets", "2", "--span", "1d",
                                               "--interval", "30s", "--outage-odds", "300"])
        #expect(seeded.status == 0, "\(seeded.stderr)")
        let (server, base) = try await serve(database)
        defer { Task { await server.stop() } }
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let (since, until) = (iso(now - 20 * 3_600_000), iso(now - 2 * 3_600_000))
        let served = try await fetch("\(base)/api/v1/report?since=\(since)&until=\(until)")
        let printed = try await runJinaHistory(["report", "--db", database, "--since", since, "--until", until,
                                                "--format", "json"])
        func withoutGeneratedAt(_ text: String) -> String {
            text.replacingOccurrences(of: #""generated_at" *: *"[^"]*""#, with: "", options: .regularExpression)
                .trimmingCharacters(in: .newlines)
        }
        #expect(served.status == 200 && printed.status == 0, "\(printed.stderr)")
        #expect(withoutGeneratedAt(served.body) == withoutGeneratedAt(printed.stdout))
        #expect(served.body.contains("\"failed_rounds\""), "the seeded window has outages")
        let page = try await fetch("\(base)/")
        #expect(page.status == 200 && page.body.contains("seed-0") && page.body.contains("seed-1"))
        #expect(try await fetch("\(base)/healthz").status == 200)
    }
}

import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite
import JinaHistoryTestSupport
import JinaHistoryFakes
import GRDB
import JinaProtos
import Synchronization
import Testing

/// The built binary on bad input: one line naming the problem, a non-zero exit, and no database created.
@Suite("command line")
struct CommandLineTests {
    @Test("bad input gets one clear line and a non-zero exit, and creates nothing", arguments: [
        (["record", "127.0.0.1"], "has no port"),
        (["record", "127.0.0.1:70000"], "from 1 to 65535"),
        (["record", "wss://127.0.0.1:1"], "wss:// needs a host name"),
        (["record", "https://127.0.0.1:1", "--ca-cert", "/no/such.pem"], "--ca-cert '/no/such.pem': no such readable file"),
        (["record", "127.0.0.1:1", "--insecure"], "certificate options apply to TLS urls only"),
        (["record"], "no targets; give urls"),
        (["record", "127.0.0.1:1", "--config", "/no/such.yaml"], "give target urls or --config, not both"),
        (["record", "--config", "/no/such.yaml"], "--config '/no/such.yaml': cannot read it"),
        (["ping", "pod", "127.0.0.1:1"], "kind 'pod' is not a kind"),
        (["ping", "flow", "127.0.0.1:1", "--timeout", "-1"], "--timeout must be 1 or more milliseconds"),
        (["ping", "flow", "127.0.0.1:1", "--attempts", "2", "--min-successful-attempts", "3"],
         "--min-successful-attempts must be between 1 and the number of attempts"),
        (["record", "127.0.0.1:1", "--interval", "5x"], "--interval '5x' is not a duration"),
        (["record", "127.0.0.1:1", "--interval", "1ms"], "--interval must be at least 10ms"),
        (["record", "127.0.0.1:1", "--kind", "pod"], "--kind 'pod' is not a kind"),
        (["record", "127.0.0.1:1", "--rounds", "0"], "--rounds must be 1 or more"),
        (["record", "127.0.0.1:1", "127.0.0.1:1"], "two targets share a name"),
        (["report", "--since", "5x"], "--since '5x' is not"),
        (["report", "--since", "1h", "--until", "2h"], "--since must be before --until"),
        (["report"], "no history database at"),
        (["report", "--tz", "Mars/Olympus"], "--tz 'Mars/Olympus' is not a time zone"),
        (["report", "--merge-gap", "5x"], "--merge-gap '5x' is not a duration"),
        (["report", "--since", "5"], "a bare number is unix seconds"),
        (["report", "--fail-under", "150"], "--fail-under '150' must be a percentage from 0 to 100"),
        (["annotate", "--from", "1h", "--to", "now"], "say what to annotate: --maintenance"),
        (["export", "--what", "pings"], "--what 'pings': export rounds, attempts, transitions or outages"),
        (["export", "--what", "rounds", "--format", "xml"], "--format 'xml': use csv or ndjson"),
        (["annotate", "--maintenance", "--from", "now", "--to", "1h"], "--from must be before --to"),
        (["annotate", "--maintenance", "--from", "1h", "--to", "now"], "no history database at"),
    ])
    func badInput(arguments: [String], problem: String) async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "sub/history.sqlite").path
        let result = try await runJinaHistory(arguments + ["--db", database])
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(lines.first?.hasPrefix("jina-history: error: ") == true)
        #expect(result.stderr.contains(problem), "stderr: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appending(path: "sub").path))
    }

    @Test("--rounds records that many rounds and exits 0; the report then reads them")
    func roundsThenReport() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "history.sqlite").path
        let port = try freePort()
        let record = try await runJinaHistory([
            "record", "127.0.0.1:\(port)", "--kind", "executor", "--db", database, "--interval", "150ms",
            "--rounds", "3", "--print-rounds", "always",
        ])
        #expect(record.status == 0, "\(record.stderr)")
        #expect(record.stdout.split(separator: "\n").count == 3)
        #expect(record.stdout.contains("refused"))
        // At the stop, on stderr: what was recorded, where, and the command that reports it.
        let said = record.stderr.split(separator: "\n").drop { !$0.hasPrefix("recorded ") }
        #expect(said.first == "recorded 3 rounds of 1 target into \(database):", "\(record.stderr)")
        #expect(said.dropFirst().first == "  executor@grpc://127.0.0.1:\(port)  3 rounds (3 down); outages: 1 opened, 0 closed")
        #expect(said.last?.hasPrefix("report it: jina-history report --db \(database) --since 20") == true)
        let report = try await jsonReport(database)
        let target = try #require((report["targets"] as? [[String: Any]])?.first)
        #expect((target["rounds"] as? [String: Int])?["down"] == 3)
        #expect(target["name"] as? String == "executor@grpc://127.0.0.1:\(port)")

        let failing = try await runJinaHistory(["report", "--db", database, "--since", "1h", "--fail-under", "99.9"])
        #expect(failing.status == 1)
        #expect(failing.stderr == "jina-history: availability below 99.9%: executor@grpc://127.0.0.1:\(port) 0.000%\n")
        let passing = try await runJinaHistory(["report", "--db", database, "--since", "1h", "--fail-under", "0"])
        #expect(passing.status == 0, "\(passing.stderr)")
        let empty = try await runJinaHistory(["report", "--db", database, "--since", "2h", "--until", "1h",
                                              "--fail-under", "50"])
        #expect(empty.status == 1 && empty.stderr.contains("no data"), "a window without evidence does not pass")
    }

    @Test("maintenance annotated afterwards: the report moves the window's time out of down and lists it")
    func annotateMaintenance() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "history.sqlite").path
        let port = try freePort()
        let start = wallNowMs()
        let record = try await runJinaHistory([
            "record", "127.0.0.1:\(port)", "--kind", "executor", "--name", "ranker", "--db", database,
            "--interval", "100ms", "--rounds", "3",
        ])
        #expect(record.status == 0, "\(record.stderr)")
        let unknown = try await runJinaHistory(["annotate", "--maintenance", "--from", "1h", "--to", "now",
                                                "--target", "rankr", "--db", database])
        #expect(unknown.status == 2 && unknown.stderr.contains("--target 'rankr' is not a recorded target; known: ranker"))
        let from = TimeText.rfc3339(start - 60_000)
        let annotate = try await runJinaHistory(["annotate", "--maintenance", "--from", from, "--to", "now",
                                                 "--target", "ranker", "--note", "deploy", "--db", database])
        #expect(annotate.status == 0, "\(annotate.stderr)")
        let report = try await jsonReport(database)
        let target = try #require((report["targets"] as? [[String: Any]])?.first)
        #expect(target["down_s"] as? Double == 0)
        #expect((target["maintenance_s"] as? Double ?? 0) > 0)
        #expect((target["maintenance"] as? [[String: Any]])?.map { $0["note"] as? String } == ["deploy"])
        let text = try await runJinaHistory(["report", "--db", database])
        #expect(text.stdout.contains("maintenance: ") && text.stdout.contains("this target  deploy"), "\(text.stdout)")
    }

    @Test("export streams rounds, attempts, transitions and outages as CSV and NDJSON")
    func export() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "history.sqlite").path
        let record = try await runJinaHistory([
            "record", "127.0.0.1:\(try freePort())", "--kind", "executor", "--name", "ranker", "--db", database,
            "--interval", "100ms", "--rounds", "3",
        ])
        #expect(record.status == 0, "\(record.stderr)")
        let rounds = try await runJinaHistory(["export", "--what", "rounds", "--db", database])
        let lines = rounds.stdout.split(separator: "\n")
        #expect(lines.first == "target,run,vantage,scheduled_at,verdict,attempts,start_lag_ms,duration_ms,labels")
        let host = ProcessInfo.processInfo.hostName
        #expect(lines.count == 4 && lines.dropFirst().allSatisfy { $0.hasPrefix("ranker,1,\(host),") && $0.contains(",down,1,") },
                "\(rounds.stdout)")
        let attempts = try await runJinaHistory(["export", "--what", "attempts", "--format", "ndjson", "--db", database])
        let rows = attempts.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(rows.count == 3)
        #expect(rows.allSatisfy { $0["class"] as? String == "refused" && $0["raw_code"] as? Int == 14 && $0["ok"] as? Bool == false })
        let transitions = try await runJinaHistory(["export", "--what", "transitions", "--db", database])
        #expect(transitions.stdout.split(separator: "\n").count == 2 && transitions.stdout.contains(",unknown,down,"))
        let outages = try await runJinaHistory(["export", "--what", "outages", "--format", "ndjson", "--db", database,
                                                "--target", "ranker"])
        let outage = try JSONSerialization.jsonObject(with: Data(outages.stdout.utf8)) as? [String: Any]
        #expect(outage?["failed_rounds"] as? Int == 3 && outage?["class"] as? String == "refused")
        #expect(outage?["ended_at"] is NSNull, "still ongoing")
        // Every table's NDJSON rows match reports/export.schema.json, whose columns are the CSV header's.
        let schema = try JSONSerialization.jsonObject(
            with: Data(contentsOf: TestPaths.repository.appending(path: "reports/export.schema.json"))) as? [String: Any]
        let definitions = schema?["$defs"] as? [String: [String: Any]] ?? [:]
        for (table, definition) in [(ExportTable.rounds, "round"), (.attempts, "attempt"), (.transitions, "transition"),
                                    (.outages, "outage")] {
            #expect(definitions[definition]?["columns"] as? [String] == table.columns, "\(table)")
            let rows = try await runJinaHistory(["export", "--what", table.rawValue, "--format", "ndjson", "--db", database])
            try await validateAgainstSchema(rows.stdout, schema: "export.schema.json", ndjson: true)
        }

        for table in ["rounds", "outages"] {
            let unknown = try await runJinaHistory(["export", "--what", table, "--target", "x", "--db", database])
            #expect(unknown.status == 2 && unknown.stderr.contains("--target 'x' is not a recorded target; known: ranker"))
        }

        let timeline = try await runJinaHistory(["timeline", "--db", database, "--target", "ranker"])
        let timelineLines = timeline.stdout.split(separator: "\n")
        #expect(timelineLines.filter { $0.contains("ranker  round down") }.count == 3, "\(timeline.stdout)")
        #expect(timelineLines.filter { $0.contains("attempt 1") && $0.contains("refused (code 14)") }.count == 3)
        #expect(timelineLines.contains { $0.contains("ranker  unknown -> down") })
        #expect(timelineLines.last?.hasSuffix("recorder run 1 stopped cleanly") == true)
    }

    @Test("every number of the text report is the JSON report's, and the summary, strip and lines fit 80 columns")
    func textMatchesJSON() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "history.sqlite").path
        let calls = Mutex(0)
        try await withFakeGateway(dryRun: {
            var status = Jina_StatusProto()
            if calls.withLock({ $0 += 1; return $0 }) % 3 == 0 { status.code = .error }
            return status
        }) { port in
            let record = try await runJinaHistory(["record", "127.0.0.1:\(port)", "--name", "flaky", "--db", database,
                                                   "--interval", "100ms", "--rounds", "9"])
            #expect(record.status == 0, "\(record.stderr)")
        }
        let json = try #require((try await jsonReport(database))["targets"] as? [[String: Any]]).first ?? [:]
        let text = try await runJinaHistory(["report", "--db", database, "--since", "1h"]).stdout
        func number(_ key: String) -> Double { json[key] as? Double ?? -1 }
        // Percentages are printed rounded down (docs/semantics.md §5), from the milliseconds behind them.
        func percentDown(_ part: Double, _ whole: Double) -> String {
            let thousandths = Int64((part * 1_000).rounded()) * 100_000 / Int64((whole * 1_000).rounded())
            return String(format: "%d.%03d%%", thousandths / 1_000, thousandths % 1_000)
        }
        let judged = number("up_s") + number("down_s")
        let rounds = json["rounds"] as? [String: Int] ?? [:]
        let attempts = json["attempts"] as? [String: Int] ?? [:]
        let latency = json["latency_ms"] as? [String: Any] ?? [:]
        for expected in [
            "availability \(percentDown(number("up_s"), judged))  "
                + String(format: "up %.3fs, down %.3fs", number("up_s"), number("down_s")),
            "coverage     \(percentDown(judged, judged + number("unknown_s")))  "
                + String(format: "unknown %.3fs", number("unknown_s")),
            "rounds \(rounds["total"] ?? -1): \(rounds["up"] ?? -1) up, \(rounds["down"] ?? -1) down, "
                + "\(rounds["skipped"] ?? -1) skipped, \(rounds["flaky"] ?? -1) flaky; attempts \(attempts["total"] ?? -1), "
                + "\(attempts["ok"] ?? -1) ok",
            String(format: "p50 %.3f  p95 %.3f  p99 %.3f", latency["p50"] as? Double ?? -1,
                   latency["p95"] as? Double ?? -1, latency["p99"] as? Double ?? -1),
            "strip  [\(json["strip"] as? String ?? "?")]",
        ] {
            #expect(text.contains(expected), "text lacks '\(expected)':\n\(text)")
        }
        #expect((rounds["down"] ?? 0) >= 2 && (rounds["up"] ?? 0) >= 5, "the fake fails every third call: \(rounds)")
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 },
                "lines over 80 columns:\n\(text)")
        #expect(!text.contains("\u{1B}["), "no colour when not a terminal")
    }

    @Test("a second recorder of a vantage on one database is refused, naming the running one, one of another vantage is not; SIGHUP does not stop it; after a clean stop another starts")
    func secondRecorderRefused() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "history.sqlite").path
        let url = "127.0.0.1:\(try freePort())"
        let first = try ChildProcess(
            TestPaths.binary, ["record", url, "--db", database, "--interval", "100ms", "--print-rounds", "always"])
        do {
            try await waitUntil("the first recorder's first round", timeout: .seconds(30)) { !first.lines.isEmpty }
            let second = try await runJinaHistory(["record", url, "--db", database, "--rounds", "1"])
            #expect(second.status == 4)
            #expect(second.stderr.split(separator: "\n").count == 1)
            #expect(second.stderr.contains("another recorder is writing to \(database): pid \(first.pid) on "),
                    "\(second.stderr)")
            #expect(first.isRunning, "the running recorder is untouched")
            let beside = try await runJinaHistory(["record", url, "--db", database, "--rounds", "2", "--interval",
                                                   "100ms", "--vantage", "elsewhere"])
            #expect(beside.status == 0, "a recorder of another vantage records beside it: \(beside.stderr)")
            let badVantage = try await runJinaHistory(["record", url, "--db", database, "--vantage", ""])
            #expect(badVantage.status == 2 && badVantage.stderr.contains("--vantage must be"), "\(badVantage.stderr)")
            let ping = try await runJinaHistory(["ping", "executor", url, "--record", "--db", database])
            #expect(ping.status == 1 && ping.stderr.isEmpty, "a one-off ping may still record beside it: \(ping.stderr)")
            first.send(SIGHUP)
            try await waitUntil("SIGHUP answered", timeout: .seconds(10)) {
                first.standardError.contains("SIGHUP ignored: the recorder does not reload")
            }
            #expect(first.isRunning, "SIGHUP does not end the recorder without its clean-stop mark")
        } catch {
            Issue.record(error)
        }
        first.send(SIGINT)
        try await first.waitForExit(timeout: .seconds(10))
        let after = try await runJinaHistory(["record", url, "--db", database, "--rounds", "1"])
        #expect(after.status == 0, "\(after.stderr)")
    }

    @Test("the binary works copied alone to another directory: the schema is embedded, no files beside it")
    func binaryCopiedAlone() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appending(path: "jina-history").path
        try FileManager.default.copyItem(atPath: TestPaths.binary, toPath: copy)
        let database = directory.appending(path: "alone.sqlite").path
        let record = try await runJinaHistory(
            ["record", "127.0.0.1:\(try freePort())", "--db", database, "--interval", "100ms", "--rounds", "2"],
            binary: copy)
        #expect(record.status == 0, "\(record.stderr)")
        let report = try await runJinaHistory(["report", "--db", database], binary: copy)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("rounds 2: 0 up, 2 down"))
    }

    @Test("a recorder killed with SIGKILL leaves an intact database and a crashed run whose tail is unknown")
    func crashedRecorder() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "history.sqlite").path
        let url = "127.0.0.1:\(try freePort())"
        let recorder = try ChildProcess(
            TestPaths.binary, ["record", url, "--db", database, "--interval", "100ms", "--print-rounds", "always"])
        try await waitUntil("3 rounds", timeout: .seconds(30)) { recorder.lines.count >= 3 }
        recorder.send(SIGKILL)
        try await recorder.waitForExit(timeout: .seconds(5))
        let printed = recorder.lines.count

        let second = try await runJinaHistory(["record", url, "--db", database, "--interval", "100ms", "--rounds", "3"])
        #expect(second.status == 0, "\(second.stderr)")
        let integrity = try await DatabaseQueue(path: database).read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")

        let target = try #require((try await jsonReport(database)["targets"] as? [[String: Any]])?.first)
        let rounds = try #require((target["rounds"] as? [String: Int])?["total"])
        #expect(rounds >= printed - 1 + 3 && rounds <= printed + 3, "at most the round in flight is lost")
        let gaps = try #require(target["gaps"] as? [[String: Any]])
        let causes = gaps.map { $0["cause"] as? String }
        #expect(causes == ["not_yet_recorded", "recorder_crashed", "recorder_stopped"], "\(gaps)")
    }
}

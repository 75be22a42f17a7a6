import Foundation
import GRDB
import JinaHistoryTestSupport
import JinaHistoryFakes
import Testing

/// `record --notify/--on-transition` and `notify-test` as a user runs them, against real HTTP receivers: faults
/// of the receiver never cost a probe its slot, every delivery is stored, and credentials go nowhere.
@Suite("notifications from the command line", .serialized)
struct NotificationCommandTests {
    /// The notification rows of `database`, oldest first.
    private func deliveries(_ database: String) throws -> [Row] {
        try DatabaseQueue(path: database).read { try Row.fetchAll($0, sql: "SELECT * FROM notification ORDER BY id") }
    }

    @Test("a receiver that is down, answers 500 or is slower than the interval: no slot is late, deliveries are retried and stored as failed")
    func faultyReceivers() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let failing = try await WebhookReceiver(answer: .init(status: 500))
        let slow = try await WebhookReceiver(answer: .init(status: 200, delay: .seconds(3)))
        let nobody = "http://127.0.0.1:\(try freePort())/hook"
        defer { Task { await failing.stop(); await slow.stop() } }
        let database = directory.appending(path: "h.sqlite").path
        // Down at its first round (nothing listens on port 1): one `down` notice per receiver.
        let result = try await runJinaHistory([
            "record", "grpc://127.0.0.1:1", "--name", "search", "--interval", "100ms", "--timeout", "50ms",
            "--rounds", "80", "--db", database, "--notify", failing.url(), "--notify", slow.url(), "--notify", nobody,
            "--notify-timeout", "500ms", "--print-rounds", "never",
        ])
        #expect(result.status == 0, "\(result.stderr)")

        let rows = try deliveries(database)
        #expect(rows.count == 3)
        for row in rows {
            #expect(row["outcome"] as String == "failed" && row["attempts"] as Int == 3 && row["event"] as String == "down",
                    "\(row)")
        }
        let byDestination = Dictionary(uniqueKeysWithValues: rows.map { ($0["destination"] as String, $0) })
        #expect(byDestination["http://127.0.0.1:\(failing.port)/…"]?["status"] as Int? == 500)
        #expect(byDestination["http://127.0.0.1:\(slow.port)/…"]?["error"] as String? == "no answer within 500 ms")
        #expect((byDestination[String(nobody.dropLast(5)) + "/…"]?["error"] as String?)?.contains("connection refused") == true)
        #expect(failing.requests.count == 3 && slow.requests.count == 3)
        // Counted in what record says at its stop.
        #expect(result.stderr.contains("  search  80 rounds (80 down); outages: 1 opened, 0 closed; notifications: 3 failed"),
                "\(result.stderr)")
        // Said once each, as warnings.
        #expect(result.stderr.split(separator: "\n").filter { $0.contains("notification down to") && $0.contains("failed after 3 attempts") }.count == 3,
                "\(result.stderr)")

        // Probing kept its grid: every slot ran, none late by an interval.
        let report = try await jsonReport(database)
        let target = try #require((report["targets"] as? [[String: Any]])?.first)
        let rounds = try #require(target["rounds"] as? [String: Int])
        #expect(rounds["total"] == 80 && rounds["skipped"] == 0, "\(rounds)")
        #expect(target["notifications"] as? [String: Int] == ["sent": 0, "failed": 3, "not_sent": 0])
        let lags = try await DatabaseQueue(path: database).read { try Int.fetchAll($0, sql: "SELECT start_lag_ms FROM round") }
        #expect(lags.count == 80 && lags.allSatisfy { $0 < 100 }, "start lags: \(lags.sorted().suffix(5))")

        let timeline = try await runJinaHistory(["timeline", "--db", database, "--since", "1h"]).stdout
        #expect(timeline.contains("search  notification down to http://127.0.0.1:\(failing.port)/…: failed after 3 attempts (HTTP 500)"),
                "\(timeline)")
        // The Markdown report's incident section shows them beside the outage.
        let markdown = try await runJinaHistory(["report", "--db", database, "--since", "1h", "--format", "markdown"]).stdout
        let incident = markdown.components(separatedBy: "### Incidents").last ?? ""
        #expect(incident.contains("notification down to http://127.0.0.1:\(slow.port)/…: failed after 3 attempts: no answer within 500 ms"),
                "\(markdown)")
    }

    @Test("a --on-transition command that hangs is killed at its deadline with what it started; the event reaches it")
    func hangingCommand() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "h.sqlite").path
        let seen = directory.appending(path: "seen").path
        let childPID = directory.appending(path: "child.pid").path
        // Keeps the event, then starts a child that would outlive the command and waits for it.
        let command = "cat > \(seen); echo \"$JINA_HISTORY_EVENT $JINA_HISTORY_TARGET\" >> \(seen); "
            + "sleep 60 & echo $! > \(childPID); wait"
        let result = try await runJinaHistory([
            "record", "grpc://127.0.0.1:1", "--name", "search", "--interval", "100ms", "--timeout", "50ms",
            "--rounds", "30", "--db", database, "--on-transition", command, "--notify-timeout", "300ms",
            "--print-rounds", "never",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try deliveries(database)
        #expect(rows.count == 1)
        #expect(rows.first?["outcome"] as String? == "failed" && rows.first?["destination"] as String? == "command cat …")
        #expect((rows.first?["error"] as String?)?.contains("did not finish within 300 ms") == true, "\(rows)")
        let event = try String(contentsOfFile: seen, encoding: .utf8)
        #expect(event.contains("\"event\":\"down\"") && event.hasSuffix("down search\n"), "\(event)")
        let pid = try #require(Int32(try String(contentsOfFile: childPID, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(!processRuns(pid), "the command's child \(pid) outlived its deadline")
        let rounds = try await DatabaseQueue(path: database).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM round WHERE verdict = 2") }
        #expect(rounds == 0, "skipped slots while the command hung")
    }

    @Test("credentials in notify urls and commands reach the receiver, never the database, the logs or the reports")
    func credentialsStaySecret() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let receiver = try await WebhookReceiver()
        defer { Task { await receiver.stop() } }
        let database = directory.appending(path: "h.sqlite").path
        let url = "http://jh:pass-SECRET1@127.0.0.1:\(receiver.port)/services/TOKEN2?key=SECRET3"
        let recorded = try await runJinaHistory([
            "record", "grpc://127.0.0.1:1", "--name", "search", "--interval", "100ms", "--timeout", "50ms",
            "--rounds", "10", "--db", database, "--notify", url, "--notify-format", "slack",
            "--on-transition", "true --token SECRET4", "--print-rounds", "always",
        ])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        // The url was used as given.
        #expect(receiver.requests.map(\.uri) == ["/services/TOKEN2?key=SECRET3"])
        #expect(receiver.requests.first?.body.contains("\"text\":\":red_circle: *search*") == true)

        var outputs = [recorded.stdout, recorded.stderr]
        for format in ["text", "json", "markdown", "html"] {
            outputs.append(try await runJinaHistory(["report", "--db", database, "--since", "1h", "--format", format]).stdout)
        }
        outputs.append(try await runJinaHistory(["timeline", "--db", database, "--since", "1h"]).stdout)
        outputs.append(try await runJinaHistory(["db", "stats", "--db", database]).stdout)
        let timeline = outputs.last(where: { $0.contains("notification down") }) ?? ""
        #expect(timeline.contains("notification down to http://127.0.0.1:\(receiver.port)/…: sent (HTTP 200, 1 attempt)"))
        #expect(timeline.contains("notification down to command true …: sent (exit 0, 1 attempt)"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).map {
            String(decoding: try Data(contentsOf: directory.appending(path: $0)), as: UTF8.self)
        }
        for secret in ["pass-SECRET1", "TOKEN2", "SECRET3", "SECRET4"] {
            #expect(!(outputs + files).contains { $0.contains(secret) }, "\(secret) leaked")
        }
    }

    @Test("notify-test sends one sample event that validates against the schema; a refusing receiver exits 1")
    func notifyTest() async throws {
        let receiver = try await WebhookReceiver()
        let refusing = try await WebhookReceiver(answer: .init(status: 403))
        defer { Task { await receiver.stop(); await refusing.stop() } }
        let sent = try await runJinaHistory(["notify-test", "--notify", receiver.url("/hook?token=SECRET")])
        #expect(sent.status == 0 && sent.stdout == "sent to http://127.0.0.1:\(receiver.port)/… (HTTP 200)", "\(sent)")
        let body = try #require(receiver.requests.first?.body)
        #expect(body.contains("\"event\":\"test\""))
        #expect(receiver.requests.first?.headers.contains { $0.0.lowercased() == "content-type" && $0.1 == "application/json" } == true)
        try await validateAgainstSchema(body, schema: "notification-event.schema.json")

        let refused = try await runJinaHistory(["notify-test", "--notify", refusing.url()])
        #expect(refused.status == 1)
        #expect(refused.stderr == "jina-history: error: not sent to http://127.0.0.1:\(refusing.port)/… (HTTP 403): the receiver did not accept it\n",
                "\(refused.stderr)")
        let nothing = try await runJinaHistory(["notify-test"])
        #expect(nothing.status == 2 && nothing.stderr.contains("nothing to test; give --notify URL or --on-transition COMMAND"))
    }

    /// Whether `pid` is a live process (a zombie, which a dead child is until reaped, is not).
    private func processRuns(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        return state != "Z" && state != "X"
    }
}

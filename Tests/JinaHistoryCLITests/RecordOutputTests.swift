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

/// What `record` shows while it runs: the live view on a terminal, and one JSON object per round for log
/// shippers.
@Suite("record output", .serialized)
struct RecordOutputTests {
    @Test("live view: one line per target with state, since when, last latency and availability so far")
    func liveViewSnapshot() throws {
        // "slow" has no verdict yet: its state, the longest, still leaves two spaces before its time.
        var status = LiveStatus(targetNames: ["search-flow", "ranker", "slow"], startMs: 1_764_064_800_000)
        let up = RoundRecord(scheduledMs: 1_764_064_801_000, verdict: .up, durationUs: 12_345,
                             attempts: [AttemptRecord(number: 1, startedMs: 1_764_064_801_000, durationUs: 12_345)])
        let down = RoundRecord(
            scheduledMs: 1_764_064_802_000, verdict: .down, durationUs: 3_000_000,
            attempts: [AttemptRecord(number: 1, startedMs: 1_764_064_802_000, durationUs: 3_000_000,
                                     failure: FailureDetail(.timeout, message: "no answer"))])
        let toUp = Transition(from: .unknown, to: .up, atMs: 1_764_064_801_012, roundScheduledMs: 1_764_064_801_000,
                              streakStartedMs: 1_764_064_801_000, failure: nil)
        let toDown = Transition(from: .up, to: .down, atMs: 1_764_064_805_000, roundScheduledMs: 1_764_064_802_000,
                                streakStartedMs: 1_764_064_802_000, failure: nil)
        status.observe("search-flow", up, toUp)
        status.observe("search-flow", up, nil)
        status.observe("search-flow", up, nil)
        status.observe("ranker", up, toUp)
        status.observe("ranker", down, toDown)
        let lines = status.render(nowMs: 1_764_065_112_000, width: 80, zone: .gmt)
        #expect(lines == [
            "target       state    since                       last ms  availability",
            "search-flow  up       10:00:01 (5m11s)               12.3      100.000%",
            "ranker       DOWN     10:00:02 (5m10s)             3000.0       50.000%  timeout",
            "slow         unknown  10:00:00 (5m12s)                  -             -",
        ])
        #expect(status.render(nowMs: 1_764_065_112_000, width: 40, zone: .gmt).allSatisfy { $0.count <= 40 })
        // Rounded down, as every printed percentage: two up rounds of three read 66.666 %, not 66.667 %.
        status.observe("ranker", up, nil)
        #expect(status.render(nowMs: 1_764_065_112_000, width: 80, zone: .gmt)[2].hasSuffix("66.666%  timeout"))
    }

    @Test("--log-format json: every line an object: the start-up warning, the start, each round, the stop")
    func jsonLines() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let closed = try freePort()
        let result = try await runJinaHistory([
            "record", "grpc://127.0.0.1:\(closed)", "--name", "refusing", "--db", directory.appending(path: "h.sqlite").path,
            // A slot overrun on a loaded machine would make a round "skipped"; a refusal needs far less than this.
            "--interval", "250ms", "--timeout", "200ms", "--rounds", "3", "--log-format", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "nothing as plain text: \(result.stderr)")
        let objects = try result.stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
        #expect(objects.map { $0["event"] as? String ?? "?" }
                    == ["round_overruns_interval", "start", "round", "round", "round", "stop"])
        // A refused flow round also asks the gateway: 200 ms + at least 200 ms for that call, over 250 ms.
        let warning = try #require(objects.first)
        #expect(warning["level"] as? String == "warning", "\(warning)")
        #expect((warning["message"] as? String)?.contains("a round can take 400 ms") == true, "\(warning)")
        #expect((warning["message"] as? String)?.contains("gateway-liveness call") == true, "\(warning)")
        #expect(objects[1]["targets"] as? Int == 1 && (objects[1]["db"] as? String)?.hasSuffix("h.sqlite") == true)
        #expect(objects.last?["run"] as? Int == 1 && objects.last?["level"] as? String == "info")
        let recorded = try #require(objects.last?["recorded"] as? [[String: Any]])
        #expect(recorded.count == 1 && recorded[0]["target"] as? String == "refusing" && recorded[0]["rounds"] as? Int == 3)
        #expect(recorded[0]["down"] as? Int == 3 && recorded[0]["outages_opened"] as? Int == 1
                    && recorded[0]["outages_closed"] as? Int == 0)
        #expect((objects.last?["db"] as? String)?.hasSuffix("h.sqlite") == true)
        let rounds = objects.filter { $0["event"] as? String == "round" }
        for object in rounds {
            #expect(object["event"] as? String == "round" && object["target"] as? String == "refusing")
            #expect(object["verdict"] as? String == "down" && object["error_class"] as? String == "refused")
            #expect(object["duration_ms"] is Double && object["raw_code"] as? Int == 14 && object["level"] as? String == "info")
        }
        #expect(rounds.first?["transition"] as? String == "unknown->down")
    }

    @Test("on a terminal (through script), the view is redrawn in place instead of scrolling")
    func liveViewOnTerminal() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let closed = try freePort()
        let command = "\(TestPaths.binary) record grpc://127.0.0.1:\(closed) --name refusing --db "
            + "\(directory.appending(path: "h.sqlite").path) --interval 100ms --timeout 50ms --rounds 12"
        // script(1) gives the recorder a pseudo-terminal; its own stdin must be a readable file, or it ends at once.
        let result = try await runJinaHistory(
            ["-c", "script -qec '\(command)' /dev/null < /dev/null"], binary: "/bin/sh")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\u{1B}[2A"), "the second drawing moves back up over the first two lines")
        #expect(result.stdout.contains("target") && result.stdout.contains("refusing  DOWN"))
        #expect(!result.stdout.contains("[unknown -> down]"), "no scrolling round lines on a terminal")
    }
}

import Foundation
import JinaHistoryCore
import JinaHistoryRender
import JinaHistoryTestSupport
import Testing

/// Which rounds are told, with what facts, and how the facts are written for receivers.
@Suite("notifications")
struct NotificationTests {
    private let target = Target(name: "search", kind: .flow, endpoint: try! Endpoint(parsing: "grpc://127.0.0.1:50051"))

    /// Feeds `history`'s rounds through the recorder's state machine and a tracker, as the recorder does, with
    /// each round handed over at its verdict.
    private func notices(_ history: HandMadeHistory, failureThreshold: Int, successThreshold: Int,
                         repeatMs: Int64? = nil) -> [TransitionNotice] {
        var machine = StateMachine(failureThreshold: failureThreshold, successThreshold: successThreshold)
        var tracker = OutageNoticeTracker(target: target, repeatMs: repeatMs, host: "prober-1")
        return history.rounds.compactMap { stored in
            let transition = machine.observe(stored.round)
            return tracker.observe(stored.round, transition: transition, nowMs: stored.round.verdictMs)
        }
    }

    @Test("a confirmed outage is told twice, down and up, with the report's start, failed rounds and duration")
    func downAndUpAgreeWithTheReport() throws {
        var history = HandMadeHistory()
        history.policy = try ProbePolicy(intervalMs: 1_000, timeoutMs: 500, failureThreshold: 3, successThreshold: 2)
        history.run(1, from: 0, heartbeat: 40_000, stopped: 40_000)
        history.rounds(1, .up, at: slots(0, 5_000))
        // One failed round below the threshold: nothing is told.
        history.rounds(1, .down, at: [5_000])
        history.rounds(1, .up, at: slots(6_000, 10_000))
        history.rounds(1, .down, at: slots(10_000, 22_000), failure: .refused)
        history.rounds(1, .skipped, at: [22_000])
        history.rounds(1, .down, at: slots(23_000, 25_000), failure: .refused)
        // One up round below the success threshold, then recovery.
        history.rounds(1, .up, at: [25_000])
        history.rounds(1, .down, at: [26_000], failure: .refused)
        history.rounds(1, .up, at: slots(27_000, 40_000))
        let told = notices(history, failureThreshold: 3, successThreshold: 2)
        let outage = try #require(try history.report(since: 0, until: 40_000).outages.first)

        #expect(told.map(\.event) == [.down, .up])
        let (down, up) = (told[0], told[1])
        #expect((down.from, down.to, up.from, up.to) == (.up, .down, .down, .up))
        #expect(down.outageStartedMs == outage.startedMs && down.confirmedMs == outage.confirmedMs)
        #expect(down.failedRounds == 3 && down.endedMs == nil)
        #expect(down.failure?.errorClass == .refused && down.host == "prober-1" && down.target == "search")
        #expect(up.endedMs == outage.endedMs && up.durationMs == outage.durationMs && up.failedRounds == outage.failedRounds,
                "report: \(outage)")
        #expect(up.outageStartedMs == 10_000 && up.endedMs == 27_000)
    }

    @Test("a first down verdict is told, a first up is not; reminders come every period while the outage lasts")
    func startAndReminders() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 20_000, stopped: 20_000)
        history.rounds(1, .up, at: slots(0, 3_000))
        #expect(notices(history, failureThreshold: 1, successThreshold: 1).isEmpty)

        history = HandMadeHistory()
        history.rounds(1, .down, at: slots(0, 12_000))
        history.rounds(1, .up, at: [12_000])
        let told = notices(history, failureThreshold: 1, successThreshold: 1, repeatMs: 5_000)
        #expect(told.map(\.event) == [.down, .reminder, .reminder, .up])
        #expect(told[0].from == .unknown)
        #expect(told.map(\.madeMs) == [10, 5_010, 10_010, 12_010])
        #expect(told[1].transitionAtMs == told[0].transitionAtMs && told[1].failedRounds == 6)
        #expect(told[3].durationMs == 12_000)
    }

    @Test("a destination is stored and printed without credentials, path or query; bad ones are refused in one line")
    func destinations() throws {
        let slack = try NotificationDestination(
            webhook: "https://user:secret@hooks.slack.com:8443/services/T0/B0/XYZSECRET?token=abc", format: .slack)
        #expect(slack.redacted == "https://hooks.slack.com:8443/…")
        #expect(try NotificationDestination(webhook: "http://127.0.0.1:9000", format: .json).redacted == "http://127.0.0.1:9000")
        #expect(NotificationDestination.command("/usr/local/bin/page-oncall --token SECRET").redacted
            == "command page-oncall …")
        for (url, message) in [
            ("ftp://user:secret@example.com/x?token=abc", "--notify 'ftp://example.com/…' scheme 'ftp' is not http or https"),
            ("http:///path-only", "--notify 'http:///…' no host"),
            ("not a url at all", "--notify not a url"),
        ] {
            let error = try #require(throws: JinaHistoryError.self) { try NotificationDestination(webhook: url, format: .json) }
            #expect(error.description.hasPrefix(message), "\(error.description)")
            #expect(!error.description.contains("secret") && !error.description.contains("abc"))
        }
        #expect(throws: JinaHistoryError.invalid(.notifyFormat, value: "teams", .notAFormat(known: ["json", "slack"]))) {
            try NotificationFormat(parsing: "teams")
        }
    }

    @Test("the JSON event, the chat message and the environment carry the same facts; server text is escaped")
    func renderings() throws {
        let failure = FailureDetail(.notReady, message: "<!channel> Communication error with deployment executor0 "
                                        + "at address(es) {'127.0.0.1:50805'} & more", exception: "InternalNetworkError")
        let notice = TransitionNotice(
            event: .up, target: "search", kind: .flow, url: "grpc://127.0.0.1:50051", from: .down, to: .up,
            transitionAtMs: 125_010, outageStartedMs: 60_000, confirmedMs: 61_010, endedMs: 125_000, failedRounds: 65,
            failure: failure, rawCode: 14, layer: .flowNotReady, host: "prober-1", madeMs: 125_020)
        let json = try #require(JSONSerialization.jsonObject(with: Data(NotificationEventRenderer.json(notice))) as? [String: Any])
        #expect(json["event"] as? String == "up" && json["duration_s"] as? Double == 65)
        #expect(json["outage_started_at"] as? String == "1970-01-01T00:01:00.000Z")
        #expect(json["ended_at"] as? String == "1970-01-01T00:02:05.000Z")
        #expect(json["deployment"] as? String == "executor0" && json["raw_code"] as? Int == 14)
        #expect(json["layer"] as? String == "flow_not_ready" && json["exception"] as? String == "InternalNetworkError")

        let chat = try #require(JSONSerialization.jsonObject(with: Data(NotificationEventRenderer.slack(notice))) as? [String: Any])
        let text = try #require(chat["text"] as? String)
        #expect(text.contains("*search*") && text.contains("up again after 1m5s down"), "\(text)")
        var down = notice
        (down.event, down.endedMs) = (.down, nil)
        let downText = String(decoding: NotificationEventRenderer.slack(down), as: UTF8.self)
        #expect(downText.contains("&lt;!channel&gt;") && downText.contains("&amp; more") && !downText.contains("<!channel>"),
                "\(downText)")

        let environment = NotificationEventRenderer.environment(notice)
        #expect(environment["JINA_HISTORY_EVENT"] == "up" && environment["JINA_HISTORY_TARGET"] == "search")
        #expect(environment["JINA_HISTORY_DURATION_S"] == "65.0" && environment["JINA_HISTORY_RAW_CODE"] == "14")
        #expect(environment.count == json.count)
    }
}

import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryRender
import JinaHistoryTestSupport
import Testing

/// The postmortem timeline on a hand-made history: order, healthy stretches collapsed, failed rounds whole.
@Suite("timeline")
struct TimelineTests {
    @Test("runs, transitions and failed rounds in time order; healthy stretches collapse into one entry each")
    func chronological() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 10_000, stopped: 10_000)
        history.run(2, from: 12_000, heartbeat: 13_500, stopped: nil)
        history.rounds(1, .up, at: [0, 1_000, 2_000], durationMs: 4)
        history.rounds(1, .down, at: [3_000, 4_000])
        history.rounds(1, .up, at: slots(5_000, 10_000), durationMs: 6)
        history.rounds(2, .up, at: [12_000, 13_000])
        var builder = TimelineBuilder(window: try ReportWindow(sinceMs: 0, untilMs: 20_000, nowMs: 100_000))
        builder.add(runs: history.runs, staleAfterMs: 10_000)
        builder.add(Transition(from: .up, to: .down, atMs: 3_010, roundScheduledMs: 3_000, streakStartedMs: 3_000,
                               failure: FailureDetail(.notReady, message: "down")), target: "t")
        builder.add(Transition(from: .down, to: .up, atMs: 5_006, roundScheduledMs: 5_000, streakStartedMs: 5_000),
                    target: "t")
        for stored in history.rounds { builder.add(stored.round, target: "t", run: stored.runId) }
        let entries = builder.finish().entries

        let summary = entries.map { dated -> String in
            switch dated.entry {
            case .recorderStarted(let run): "\(dated.atMs) start \(run.id)"
            case .recorderEnded(let run, let crashed): "\(dated.atMs) \(crashed ? "crash" : "stop") \(run.id)"
            case .transition(_, let transition): "\(dated.atMs) \(transition.from)->\(transition.to)"
            case .round(_, let round): "\(dated.atMs) round \(round.verdict)"
            case .healthyRounds(_, let count, let lastMs, let meanUs, _): "\(dated.atMs) \(count) healthy to \(lastMs) mean \(meanUs)"
            case .similarRounds(_, let count, let lastMs, _, _): "\(dated.atMs) \(count) alike to \(lastMs)"
            case .notification(_, let delivery): "\(dated.atMs) notified \(delivery.event)"
            }
        }
        #expect(summary == [
            "0 start 1", "0 3 healthy to 2000 mean 4000", "3000 round down", "3010 up->down", "4000 round down",
            "5000 5 healthy to 9000 mean 6000", "5006 down->up", "10000 stop 1", "12000 start 2",
            "12000 2 healthy to 13000 mean 10000", "13500 crash 2",
        ])
    }

    /// A target's entries as short strings, for comparing order and content.
    private func outline(_ timeline: Timeline) -> [String] {
        timeline.entries.compactMap { dated -> String? in
            switch dated.entry {
            case .transition(_, let transition): "\(dated.atMs) \(transition.from)->\(transition.to)"
            case .round(_, let round): "\(dated.atMs) round \(round.verdict) \(round.attempts.map { $0.failure?.errorClass.rawValue ?? "ok" })"
            case .similarRounds(_, let count, let lastMs, _, let gatewayUp):
                "\(dated.atMs) \(count) alike to \(lastMs) gateway \(gatewayUp.map { "\($0)" } ?? "-")"
            case .healthyRounds(_, let count, _, _, _): "\(dated.atMs) \(count) healthy"
            case .notification(_, let delivery): "\(dated.atMs) notified \(delivery.event) \(delivery.outcome.rawValue)"
            default: nil
            }
        }
    }

    /// A down round with a readiness attempt failing as `failure` and, when given, the gateway's answer.
    private func down(_ slot: Int64, _ failure: ErrorClass, gatewayUp: Bool?, durationMs: Int64 = 10) -> StoredRound {
        var attempts = [AttemptRecord(number: 1, startedMs: slot, durationUs: durationMs * 1_000,
                                      failure: FailureDetail(failure, message: "\(failure)"))]
        if let gatewayUp {
            attempts.append(AttemptRecord(role: .gatewayLiveness, number: 1, startedMs: slot + durationMs, durationUs: 500,
                                          failure: gatewayUp ? nil : FailureDetail(.refused, message: "refused")))
        }
        return StoredRound(targetId: 1, runId: 1, round: RoundRecord(
            scheduledMs: slot, verdict: .down, durationUs: durationMs * 1_000, attempts: attempts))
    }

    @Test("alike failed rounds collapse: the first and the last in full, those between in one line; a change starts anew")
    func alikeFailuresCollapse() throws {
        let window = try ReportWindow(sinceMs: 0, untilMs: 100_000, nowMs: 100_000)
        // A 60-round outage behind a live gateway, then 10 rounds whose gateway stopped answering, then 5 refused.
        var rounds = (0..<60).map { down(Int64($0) * 1_000, .notReady, gatewayUp: true, durationMs: 10 + Int64($0 % 7)) }
        rounds += (60..<70).map { down(Int64($0) * 1_000, .notReady, gatewayUp: false) }
        rounds += (70..<75).map { down(Int64($0) * 1_000, .refused, gatewayUp: nil) }
        let up = StoredRound(targetId: 1, runId: 1, round: RoundRecord(
            scheduledMs: 75_000, verdict: .up, durationUs: 4_000, attempts: [AttemptRecord(number: 1, startedMs: 75_000, durationUs: 4_000)]))
        let transitions = [
            Transition(from: .up, to: .down, atMs: 15, roundScheduledMs: 0, streakStartedMs: 0,
                       failure: FailureDetail(.notReady, message: "notReady")),
            Transition(from: .down, to: .up, atMs: 75_005, roundScheduledMs: 75_000, streakStartedMs: 75_000),
        ]
        func timeline(collapsing: Bool) -> Timeline {
            var builder = TimelineBuilder(window: window, collapsing: collapsing)
            for transition in transitions { builder.add(transition, target: "t") }
            for stored in rounds + [up] { builder.add(stored.round, target: "t", run: stored.runId) }
            return builder.finish()
        }

        let collapsed = timeline(collapsing: true)
        #expect(outline(collapsed) == [
            "0 round down [\"not_ready\", \"ok\"]", "15 up->down", "1000 58 alike to 58000 gateway true",
            "59000 round down [\"not_ready\", \"ok\"]",
            "60000 round down [\"not_ready\", \"refused\"]", "61000 8 alike to 68000 gateway false",
            "69000 round down [\"not_ready\", \"refused\"]",
            "70000 round down [\"refused\"]", "71000 3 alike to 73000 gateway -", "74000 round down [\"refused\"]",
            "75000 1 healthy", "75005 down->up",
        ])
        // The 60-round outage in text: its first and last round with their attempts, the line between, the
        // transitions: at most 10 lines.
        let text = TimelineTextRenderer.render(collapsed, window: window).split(separator: "\n")
        let outage = text.prefix { !$0.hasPrefix("1970-01-01T00:01:00.000Z") }.dropFirst()
        #expect(outage.count == 8, "\(outage.joined(separator: "\n"))")
        #expect(text.contains { $0.contains("58 more rounds like this until 1970-01-01T00:00:58.000Z (latency p50 13.0 ms, max 16.0 ms; gateway up)") },
                "\(text.joined(separator: "\n"))")

        // --every-round: every failed round in full, as before.
        #expect(outline(timeline(collapsing: false)).filter { $0.contains("round down") }.count == 75)
    }

    @Test("notifications stand beside their transitions without splitting the outage; a reminder starts a new block")
    func notificationsInTheTimeline() throws {
        let window = try ReportWindow(sinceMs: 0, untilMs: 100_000, nowMs: 100_000)
        let rounds = (0..<60).map { down(Int64($0) * 1_000, .notReady, gatewayUp: true) }
        func delivery(_ event: TransitionNotice.Event, transitionAtMs: Int64, queuedMs: Int64) -> NotificationDelivery {
            NotificationDelivery(targetId: 1, event: event, transitionAtMs: transitionAtMs, queuedMs: queuedMs,
                                 finishedMs: queuedMs + 5, destination: "http://127.0.0.1:9/…", attempts: 1,
                                 outcome: .sent, status: 200, error: "")
        }
        var builder = TimelineBuilder(window: window)
        builder.add(Transition(from: .up, to: .down, atMs: 15, roundScheduledMs: 0, streakStartedMs: 0,
                               failure: FailureDetail(.notReady, message: "notReady")), target: "t")
        builder.add(delivery(.down, transitionAtMs: 15, queuedMs: 1_200), target: "t")
        builder.add(delivery(.reminder, transitionAtMs: 15, queuedMs: 30_500), target: "t")
        for stored in rounds { builder.add(stored.round, target: "t", run: stored.runId) }
        let timeline = builder.finish()
        #expect(outline(timeline) == [
            "0 round down [\"not_ready\", \"ok\"]", "15 up->down", "1000 29 alike to 29000 gateway true",
            "1200 notified down sent", "30000 round down [\"not_ready\", \"ok\"]", "30500 notified reminder sent",
            "31000 round down [\"not_ready\", \"ok\"]", "32000 27 alike to 58000 gateway true",
            "59000 round down [\"not_ready\", \"ok\"]",
        ])
        let text = TimelineTextRenderer.render(timeline, window: window)
        #expect(text.contains("t  notification down to http://127.0.0.1:9/…: sent (HTTP 200, 1 attempt)"), "\(text)")
    }

    @Test("a restart or a transition not caused by the stretch's own rounds ends it")
    func restartsAndTransitionsEndStretches() throws {
        let window = try ReportWindow(sinceMs: 0, untilMs: 100_000, nowMs: 100_000)
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 4_500, stopped: 4_500)
        history.run(2, from: 5_000, heartbeat: 20_000, stopped: 20_000)
        history.rounds(1, .down, at: slots(0, 5_000), message: "refused")
        history.rounds(2, .down, at: slots(5_000, 15_000), message: "refused")
        var builder = TimelineBuilder(window: window)
        // A manual state change in the middle of run 2's failures (say, from a second recorder).
        builder.add(Transition(from: .down, to: .down, atMs: 9_500, roundScheduledMs: 2_000, streakStartedMs: 0), target: "t")
        for stored in history.rounds { builder.add(stored.round, target: "t", run: stored.runId) }
        #expect(outline(builder.finish()) == [
            "0 round down [\"not_ready\"]", "1000 3 alike to 3000 gateway -", "4000 round down [\"not_ready\"]",
            "5000 round down [\"not_ready\"]", "6000 3 alike to 8000 gateway -", "9000 round down [\"not_ready\"]",
            "9500 down->down",
            "10000 round down [\"not_ready\"]", "11000 3 alike to 13000 gateway -", "14000 round down [\"not_ready\"]",
        ])
    }

    @Test("skipped slots and retried rounds collapse by rounds: the count is of rounds, latency only where attempts ran")
    func skippedAndRetried() throws {
        let window = try ReportWindow(sinceMs: 0, untilMs: 100_000, nowMs: 100_000)
        var builder = TimelineBuilder(window: window)
        for slot in slots(0, 5_000) { builder.add(.skipped(at: slot), target: "t", run: 1) }
        for slot in slots(5_000, 10_000) {
            let attempts = (1...2).map {
                AttemptRecord(number: $0, startedMs: slot, durationUs: 7_000, failure: FailureDetail(.timeout, message: "timeout"))
            }
            builder.add(RoundRecord(scheduledMs: slot, verdict: .down, durationUs: 14_000, attempts: attempts), target: "t", run: 1)
        }
        let timeline = builder.finish()
        #expect(outline(timeline) == [
            "0 round skipped []", "1000 3 alike to 3000 gateway -", "4000 round skipped []",
            "5000 round down [\"timeout\", \"timeout\"]", "6000 3 alike to 8000 gateway -",
            "9000 round down [\"timeout\", \"timeout\"]",
        ])
        let text = TimelineTextRenderer.render(timeline, window: window)
        #expect(text.contains("3 more rounds like this until 1970-01-01T00:00:03.000Z\n"), "\(text)")
        #expect(text.contains("3 more rounds like this until 1970-01-01T00:00:08.000Z (latency p50 7.0 ms, max 7.0 ms)\n"))
    }
}


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
            }
        }
        #expect(summary == [
            "0 start 1", "0 3 healthy to 2000 mean 4000", "3000 round down", "3010 up->down", "4000 round down",
            "5000 5 healthy to 9000 mean 6000", "5006 down->up", "10000 stop 1", "12000 start 2",
            "12000 2 healthy to 13000 mean 10000", "13500 crash 2",
        ])
    }
}

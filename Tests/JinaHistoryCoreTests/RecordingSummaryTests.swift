import JinaHistoryCore
import JinaHistoryRender
import Testing

/// What `record` says when it stops.
@Suite("recording summary")
struct RecordingSummaryTests {
    @Test("rounds by verdict and outages opened and closed per target, the database, and the command that reports it")
    func lines() throws {
        var summary = RecordingSummary(targetNames: ["search", "ranker-long-name"])
        let up = RoundRecord(scheduledMs: 0, verdict: .up)
        let down = RoundRecord(scheduledMs: 0, verdict: .down)
        summary.observe("search", up, Transition(from: .unknown, to: .up, atMs: 1, roundScheduledMs: 0, streakStartedMs: 0))
        summary.observe("search", down, Transition(from: .up, to: .down, atMs: 2, roundScheduledMs: 0, streakStartedMs: 0))
        summary.observe("search", .skipped(at: 0), nil)
        summary.observe("search", up, Transition(from: .down, to: .up, atMs: 3, roundScheduledMs: 0, streakStartedMs: 0))
        summary.observe("ranker-long-name", up, nil)
        summary.observe("not-recorded", up, nil)
        #expect(summary.lines(database: "/data/my history.sqlite", startedMs: 1_764_064_800_000) == [
            "recorded 5 rounds of 2 targets into /data/my history.sqlite:",
            "  search            4 rounds (2 up, 1 down, 1 skipped); outages: 1 opened, 1 closed",
            "  ranker-long-name  1 round (1 up); no outage",
            "report it: jina-history report --db '/data/my history.sqlite' --since 2025-11-25T10:00:00.000Z",
        ])
    }
}

/// What the status page shows (`jina-history serve`, docs/serve.md): every target's current state and since when,
/// its availability over the last day, week and month, the month as a history bar, and its last latency; the worst
/// first.
public struct StatusBoard: Sendable {
    /// One target's line.
    public struct Row: Sendable {
        /// The target's name, kind and url.
        public var name: String
        /// Its kind.
        public var kind: TargetKind
        /// Its url.
        public var url: String
        /// Up or down by its last transition while its rounds are fresh; unknown when no recorder has judged it
        /// within its staleness cap (or ever).
        public var state: TargetState
        /// Since when: the outage's start when down, the recovery's when up, the last verdict's end when unknown
        /// (`nil`: never recorded).
        public var sinceMs: Int64?
        /// The reports of the last 24 hours, 7 days and 30 days (the month's strip has ``historyBuckets``).
        public var day: TargetReport, week: TargetReport, month: TargetReport
        /// The latency of its last up round, µs, and that round's slot.
        public var lastLatencyUs: Int64?, lastRoundMs: Int64?
    }

    /// Buckets of the month's history bar.
    public static let historyBuckets = 90

    /// When it was made, UTC epoch ms.
    public var generatedAtMs: Int64
    /// Worst first: down, then unknown, then up; within a state, the lowest day availability first, then by name.
    public var rows: [Row]
}

extension HistoryFeed {
    /// The status board at `nowMs`: three reports over one snapshot (rollups make the month cheap) and the rounds of
    /// the last few intervals for the current state and latency.
    public static func statusBoard(_ snapshot: any HistorySnapshot, nowMs: Int64) throws -> StatusBoard {
        let dayMs: Int64 = 86_400_000
        func report(_ lengthMs: Int64, buckets: Int = TargetReport.stripBuckets) throws -> [String: TargetReport] {
            var window = try ReportWindow(sinceMs: nowMs - lengthMs, untilMs: nowMs, nowMs: nowMs)
            window.stripBuckets = buckets
            return Dictionary(uniqueKeysWithValues: try HistoryFeed.report(snapshot, window: window).targets.map { ($0.name, $0) })
        }
        let (day, week, month) = (try report(dayMs), try report(7 * dayMs), try report(30 * dayMs, buckets: StatusBoard.historyBuckets))
        let targets = try snapshot.targets()
        let caps = Dictionary(uniqueKeysWithValues: targets.map {
            ($0.id, $0.policies.values.map(ReportBuilder.stalenessBoundMs).max() ?? 0)
        })
        // The latest round of each target, from the last two staleness caps (a few intervals: a few rounds each).
        var latest: [Int64: StoredRound] = [:]
        var lastUp: [Int64: RoundRecord] = [:]
        let recentMs = nowMs - 2 * (caps.values.max() ?? 0) - 1_000
        try snapshot.forEachRound(in: [SlotStretch(recentMs..<nowMs + 1, targetId: nil)]) { batch in
            for stored in batch where stored.round.verdict != .skipped {
                latest[stored.targetId] = stored
                if stored.round.verdict == .up { lastUp[stored.targetId] = stored.round }
            }
        }
        var rows: [StatusBoard.Row] = []
        for target in targets {
            guard let dayReport = day[target.name], let weekReport = week[target.name],
                  let monthReport = month[target.name] else { continue }
            var row = StatusBoard.Row(
                name: target.name, kind: target.kind, url: target.url, state: .unknown, sinceMs: nil,
                day: dayReport, week: weekReport, month: monthReport,
                lastLatencyUs: lastUp[target.id]?.readinessAttempts.first { $0.succeeded }?.durationUs,
                lastRoundMs: latest[target.id]?.round.scheduledMs)
            let up = try snapshot.lastTransition(targetId: target.id, to: .up, atOrBefore: nowMs)
            let down = try snapshot.lastTransition(targetId: target.id, to: .down, atOrBefore: nowMs)
            if let round = latest[target.id]?.round, nowMs <= round.verdictMs + (caps[target.id] ?? 0) {
                if let down, up.map({ $0.atMs < down.atMs }) ?? true {
                    (row.state, row.sinceMs) = (.down, down.streakStartedMs)
                } else {
                    (row.state, row.sinceMs) = (.up, up?.streakStartedMs ?? round.scheduledMs)
                }
            } else {
                row.sinceMs = latest[target.id].map { $0.round.verdictMs + (caps[target.id] ?? 0) }
                    ?? monthReport.gaps.last.map(\.startedMs)
            }
            rows.append(row)
        }
        let rank: [TargetState: Int] = [.down: 0, .unknown: 1, .up: 2]
        rows.sort {
            ((rank[$0.state] ?? 1), $0.day.availability ?? 2, $0.name) < ((rank[$1.state] ?? 1), $1.day.availability ?? 2, $1.name)
        }
        return StatusBoard(generatedAtMs: nowMs, rows: rows)
    }
}

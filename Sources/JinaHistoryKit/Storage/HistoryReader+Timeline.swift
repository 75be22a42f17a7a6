import Foundation
import GRDB

extension HistoryReader {
    /// The postmortem timeline of `window`, for one target or all, from one snapshot.
    ///
    /// - throws: ``JinaHistoryError`` for an unknown target (naming the known ones) or an unreadable database.
    public func timeline(window: ReportWindow, target: String?) throws -> Timeline {
        var builder = TimelineBuilder(window: window)
        var prunedBeforeMs: Int64?
        try readSnapshot { db in
            prunedBeforeMs = try Self.rawRoundsPrunedBefore(window, db)
            if let target { _ = try Self.targetId(named: target, db) }
            let targets = try Self.targets(db)
            let names = Dictionary(uniqueKeysWithValues: targets.map { ($0.id, $0.name) })
            let longestInterval = targets.flatMap(\.policies.values).map(\.intervalMs).max() ?? 0
            builder.add(runs: try Self.runs(db), staleAfterMs: ReportBuilder.heartbeatGraceMs + 2 * longestInterval)
            let transitions = try Row.fetchCursor(
                db,
                sql: """
                    SELECT x.*, e.class, e.exception, e.message FROM transition x LEFT JOIN error e ON e.id = x.error_id
                    WHERE x.at_ms >= ? AND x.at_ms < ? ORDER BY x.at_ms
                    """,
                arguments: [window.sinceMs, window.untilMs])
            while let row = try transitions.next() {
                guard let name = names[row["target_id"]], target == nil || target == name else { continue }
                let failure = (row["class"] as String?).map { errorClass in
                    FailureDetail(ErrorClass(rawValue: errorClass) ?? .rpcError, message: row["message"] ?? "",
                                  exception: row["exception"] ?? "")
                }
                builder.add(
                    Transition(
                        from: TargetState(rawValue: row["from_state"]) ?? .unknown,
                        to: TargetState(rawValue: row["to_state"]) ?? .unknown, atMs: row["at_ms"],
                        roundScheduledMs: row["round_scheduled_ms"], streakStartedMs: row["streak_started_ms"],
                        failure: failure),
                    target: name)
            }
            try Self.forEachRound(db, in: [window.sinceMs..<max(window.sinceMs, window.untilMs)]) { stored in
                guard let name = names[stored.targetId], target == nil || target == name else { return }
                builder.add(stored.round, target: name, run: stored.runId)
            }
        }
        var timeline = builder.finish()
        timeline.roundsPrunedBeforeMs = prunedBeforeMs
        return timeline
    }

    /// Where `window`'s raw rounds stop being pruned: `nil` when `prune` deleted none of them, else the window's
    /// part before that time lacks its healthy rounds (transitions, outages' rounds and runs stay; reports use
    /// the rollups). Export and timeline say so.
    public func rawRoundsPrunedBefore(_ window: ReportWindow) throws -> Int64? {
        try readSnapshot { db in try Self.rawRoundsPrunedBefore(window, db) }
    }

    private static func rawRoundsPrunedBefore(_ window: ReportWindow, _ db: Database) throws -> Int64? {
        guard try db.tableExists("prune"),
            let horizon = try Int64.fetchOne(db, sql: "SELECT max(before_ms) FROM prune"), horizon > window.sinceMs
        else { return nil }
        return min(horizon, window.untilMs)
    }
}

extension HistoryFeed {
    /// The postmortem timeline of `window`, for the target named `target` or all; `everyRound` lists every failed
    /// round in full instead of collapsing alike ones.
    ///
    /// - throws: ``JinaHistoryError`` for an unknown target (naming the known ones), or the store's errors.
    public static func timeline(_ snapshot: any HistorySnapshot, window: ReportWindow, target: String?,
                                everyRound: Bool = false) throws -> Timeline
    {
        var builder = TimelineBuilder(window: window, collapsing: !everyRound)
        let targets = try snapshot.targets()
        if let target { _ = try requireTarget(named: target, in: targets) }
        let names = Dictionary(uniqueKeysWithValues: targets.map { ($0.id, $0.name) })
        let longestInterval = targets.flatMap(\.policies.values).map(\.intervalMs).max() ?? 0
        builder.add(runs: try snapshot.runs(), staleAfterMs: ReportBuilder.heartbeatGraceMs + 2 * longestInterval)
        for stored in try snapshot.transitions(in: window.sinceMs..<window.untilMs) {
            guard let name = names[stored.targetId], target == nil || target == name else { continue }
            builder.add(stored.transition, target: name)
        }
        for delivery in try snapshot.notifications(in: window.sinceMs..<window.untilMs) {
            guard let name = names[delivery.targetId], target == nil || target == name else { continue }
            builder.add(delivery, target: name)
        }
        try snapshot.forEachRound(in: [SlotStretch(window.sinceMs..<max(window.sinceMs, window.untilMs), targetId: nil)]) {
            for stored in $0 {
                guard let name = names[stored.targetId], target == nil || target == name else { continue }
                builder.add(stored.round, target: name, run: stored.runId)
            }
        }
        var timeline = builder.finish()
        timeline.roundsPrunedBeforeMs = try rawRoundsPrunedBefore(snapshot, window: window)
        return timeline
    }

    /// Where `window`'s raw rounds stop being pruned: `nil` when `prune` deleted none of them, else the window's
    /// part before that time lacks its healthy rounds (transitions, outages' rounds and runs stay; reports use
    /// the rollups). Export and timeline say so.
    public static func rawRoundsPrunedBefore(_ snapshot: any HistorySnapshot, window: ReportWindow) throws -> Int64? {
        guard let horizon = try snapshot.prunedBeforeMs(), horizon > window.sinceMs else { return nil }
        return min(horizon, window.untilMs)
    }

    /// The target named `name`.
    ///
    /// - throws: ``JinaHistoryError`` (bad input) naming the targets there are.
    public static func requireTarget(named name: String, in targets: [StoredTarget]) throws -> StoredTarget {
        if let target = targets.first(where: { $0.name == name }) { return target }
        throw unknownTarget(name, known: targets.map(\.name))
    }

    /// The error for a target name that was never recorded, naming the ones that were.
    public static func unknownTarget(_ name: String, known: [String]) -> JinaHistoryError {
        .invalid(.target, value: name, .notRecorded(known: known))
    }
}

extension HistoryReading {
    /// The report of `window`, counted by ``HistoryFeed`` over one snapshot (see ``HistoryFeed/report(_:window:useRollups:latencyStrip:)``).
    /// Seen from `vantage` alone when one is given (``VantageSnapshot``).
    public func report(window: ReportWindow, useRollups: Bool = true, latencyStrip: Bool = false,
                       vantage: String? = nil) throws -> HistoryReport
    {
        try withSnapshot {
            try HistoryFeed.report(try $0.seen(from: vantage), window: window, useRollups: useRollups,
                                   latencyStrip: latencyStrip)
        }
    }

    /// The postmortem timeline of `window`, for the target named `target` or all; `everyRound` lists every failed
    /// round in full instead of collapsing alike ones; seen from `vantage` alone when one is given.
    public func timeline(window: ReportWindow, target: String?, everyRound: Bool = false, vantage: String? = nil)
        throws -> Timeline
    {
        try withSnapshot {
            try HistoryFeed.timeline(try $0.seen(from: vantage), window: window, target: target, everyRound: everyRound)
        }
    }

    /// The timelines of `report`'s outages at `positions` (``HistoryFeed/incidents(_:report:positions:)``).
    public func incidents(of report: HistoryReport, positions: Range<Int> = 0..<Incident.limit) throws -> [Incident] {
        try withSnapshot { try HistoryFeed.incidents($0, report: report, positions: positions) }
    }

    /// The status page's board at `nowMs` (``HistoryFeed/statusBoard(_:nowMs:)``).
    public func statusBoard(nowMs: Int64) throws -> StatusBoard {
        try withSnapshot { try HistoryFeed.statusBoard($0, nowMs: nowMs) }
    }

    /// `table`'s rows of `window`, for the target named `target` or all, from one snapshot; seen from `vantage`
    /// alone when one is given.
    public func export(_ table: ExportTable, window: ReportWindow, target: String?, vantage: String? = nil,
                       row: ([ExportValue?]) throws -> Void) throws {
        try withSnapshot {
            try HistoryFeed.export(try $0.seen(from: vantage), table: table, window: window, target: target, row: row)
        }
    }

    /// Where `window`'s raw rounds stop being pruned, `nil` when none of them were.
    public func rawRoundsPrunedBefore(_ window: ReportWindow) throws -> Int64? {
        try withSnapshot { try HistoryFeed.rawRoundsPrunedBefore($0, window: window) }
    }

    /// Checks that a target named `name` was recorded, before anything is written about it.
    ///
    /// - throws: ``JinaHistoryError`` (bad input) naming the targets there are.
    public func requireTarget(named name: String) throws {
        _ = try withSnapshot { try HistoryFeed.requireTarget(named: name, in: try $0.targets()) }
    }

    /// Every maintenance window, deleted ones included, oldest first (`annotate --list`).
    public func maintenanceWindows() throws -> [MaintenanceWindow] {
        try withSnapshot { try $0.maintenance(overlapping: Int64.min..<Int64.max) }
    }

    /// Each target's name by its row id.
    public func targetNames() throws -> [Int64: String] {
        try withSnapshot { Dictionary(uniqueKeysWithValues: try $0.targets().map { ($0.id, $0.name) }) }
    }
}

extension HistorySnapshot {
    /// This snapshot, or what `vantage` alone recorded of it when one is given.
    ///
    /// - throws: ``JinaHistoryError`` (bad input) for a vantage no run stood at.
    func seen(from vantage: String?) throws -> any HistorySnapshot {
        guard let vantage else { return self }
        return try VantageSnapshot(self, vantage: vantage)
    }
}

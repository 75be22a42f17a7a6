/// One outage of a report with its postmortem timeline (the Markdown report's incident section).
public struct Incident: Sendable {
    /// The target's name.
    public var target: String
    /// The outage.
    public var outage: Outage
    /// The evidence from its first failed round to the notifications of its end, failed rounds collapsed.
    public var timeline: Timeline
    /// The timeline's window.
    public var window: ReportWindow

    /// Outages given an incident timeline at most; the rest are counted and left to `jina-history timeline`.
    public static let limit = 10
}

extension HistoryFeed {
    /// The timelines of `report`'s outages at `positions` (from 0, in the report's order; by default its first
    /// ``Incident/limit``): each from its first failed round to two intervals and a few seconds after its end, so
    /// the recovery, its transition and its notifications are in it.
    public static func incidents(_ snapshot: any HistorySnapshot, report: HistoryReport,
                                 positions: Range<Int> = 0..<Incident.limit) throws -> [Incident] {
        let intervals = Dictionary(uniqueKeysWithValues: try snapshot.targets().map {
            ($0.name, $0.policies.values.map(\.intervalMs).max() ?? 0)
        })
        let outages = report.outagesAcrossTargets
        return try outages[positions.clamped(to: outages.indices)].map { name, outage in
            let endMs = (outage.endedMs ?? outage.lastEvidenceMs) + 2 * (intervals[name] ?? 0) + 5_000
            let window = try ReportWindow(sinceMs: outage.startedMs, untilMs: min(endMs, report.window.nowMs + 1),
                                          nowMs: report.window.nowMs, zone: report.window.zone)
            return Incident(target: name, outage: outage,
                            timeline: try timeline(snapshot, window: window, target: name), window: window)
        }
    }
}

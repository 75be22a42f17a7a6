public import JinaHistoryCore
public import Testing

/// Checks what a report from rollups must share with the one from raw rounds: every number equal, percentiles
/// within 1%; `exactCounts` off allows the pro-rata counts of spans cut by the window's edge after pruning.
public func expectSameNumbers(_ rolled: HistoryReport, _ raw: HistoryReport, exactCounts: Bool = true,
                              _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(rolled.targets.count == raw.targets.count, "\(context)", sourceLocation: sourceLocation)
    for (a, b) in zip(rolled.targets, raw.targets) {
        let where_ = "\(context) \(a.name)"
        #expect(a.upMs == b.upMs && a.downMs == b.downMs && a.unknownMs == b.unknownMs
                    && a.maintenanceMs == b.maintenanceMs, "\(where_): time", sourceLocation: sourceLocation)
        #expect(a.availability == b.availability && a.coverage == b.coverage, "\(where_): ratios",
                sourceLocation: sourceLocation)
        #expect(a.outages == b.outages, "\(where_): outages", sourceLocation: sourceLocation)
        #expect(a.gaps == b.gaps && a.strip == b.strip, "\(where_): gaps and strip", sourceLocation: sourceLocation)
        #expect(a.rounds.total == b.rounds.total && a.rounds.up == b.rounds.up && a.rounds.down == b.rounds.down,
                "\(where_): rounds \(a.rounds) vs \(b.rounds)", sourceLocation: sourceLocation)
        if exactCounts {
            #expect(a.rounds == b.rounds && a.attempts == b.attempts, "\(where_): counts",
                    sourceLocation: sourceLocation)
            for (x, y) in [(a.successLatency, b.successLatency), (a.failureLatency, b.failureLatency)] {
                #expect(x.count == y.count && x.mean == y.mean && x.min == y.min && x.max == y.max,
                        "\(where_): latency \(x) vs \(y)", sourceLocation: sourceLocation)
                #expect(abs((x.stddev ?? 0) - (y.stddev ?? 0)) <= 0.001, "\(where_): stddev",
                        sourceLocation: sourceLocation)
                for (p, q) in [(x.p50, y.p50), (x.p90, y.p90), (x.p95, y.p95), (x.p99, y.p99)] {
                    let exact = q ?? 0
                    #expect(abs((p ?? 0) - exact) <= 0.01 * exact, "\(where_): percentile \(p ?? 0) vs \(exact)",
                            sourceLocation: sourceLocation)
                }
            }
        } else {
            #expect(abs(a.attempts.total - b.attempts.total) <= max(2, b.attempts.total / 100), "\(where_)",
                    sourceLocation: sourceLocation)
        }
    }
}

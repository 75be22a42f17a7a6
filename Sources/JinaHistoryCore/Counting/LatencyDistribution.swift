/// The latencies a report gathers for one summary: every value exactly while there are few, a
/// ``LatencyHistogram`` once a rollup's histogram joins them or they outgrow ``exactLimit`` (so a report's memory
/// does not grow with the history).
struct LatencyDistribution: Sendable {
    /// Values kept exactly before they fold into a histogram: 8 bytes each.
    static let exactLimit = 250_000

    private var exact: [Int64] = []
    private var histogram: LatencyHistogram?

    /// Whether every value is still known exactly (percentiles are then exact nearest rank).
    var isExact: Bool { histogram == nil }

    mutating func add(_ us: Int64) {
        if histogram != nil {
            histogram?.add(us)
            return
        }
        exact.append(us)
        if exact.count > Self.exactLimit { foldIntoHistogram() }
    }

    mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        foldIntoHistogram()
        histogram?.merge(other)
    }

    /// Adds every value of `other` (another vantage's latencies of the same target).
    mutating func merge(_ other: LatencyDistribution) {
        if let histogram = other.histogram {
            merge(histogram)
        } else {
            for value in other.exact { add(value) }
        }
    }

    private mutating func foldIntoHistogram() {
        guard histogram == nil else { return }
        var folded = LatencyHistogram()
        for value in exact { folded.add(value) }
        histogram = folded
        exact = []
    }

    var summary: LatencySummary {
        histogram.map(LatencySummary.init(histogram:)) ?? LatencySummary(sortedMicroseconds: exact.sorted())
    }
}

/// Statistics of a sorted list of durations, in milliseconds (docs/semantics.md §6). Percentiles are nearest
/// rank: the smallest value with at least p% of the values at or below it.
public struct LatencySummary: Hashable, Sendable {
    /// Number of values.
    public var count: Int
    /// Mean, `nil` when empty; likewise below.
    public var mean: Double?
    /// Median.
    public var p50: Double?
    /// 90th percentile.
    public var p90: Double?
    /// 95th percentile.
    public var p95: Double?
    /// 99th percentile.
    public var p99: Double?
    /// Smallest.
    public var min: Double?
    /// Largest.
    public var max: Double?
    /// Population standard deviation.
    public var stddev: Double?

    /// Summarises `sortedMicroseconds` (ascending).
    public init(sortedMicroseconds values: [Int64]) {
        count = values.count
        guard let first = values.first, let last = values.last else { return }
        let n = Double(values.count)
        let meanUs = values.reduce(0.0) { $0 + Double($1) } / n
        let variance = values.reduce(0.0) { $0 + (Double($1) - meanUs) * (Double($1) - meanUs) } / n
        func rank(_ p: Double) -> Double {
            let index = Swift.max(0, Int((p * n).rounded(.up)) - 1)
            return Self.ms(values[Swift.min(index, values.count - 1)])
        }
        mean = Self.round(meanUs / 1_000)
        p50 = rank(0.50)
        p90 = rank(0.90)
        p95 = rank(0.95)
        p99 = rank(0.99)
        min = Self.ms(first)
        max = Self.ms(last)
        stddev = Self.round(variance.squareRoot() / 1_000)
    }

    /// Summarises a histogram: count, mean, standard deviation, minimum and maximum exact (from its moments),
    /// percentiles within ``LatencyHistogram/relativeAccuracy`` of the exact nearest-rank value.
    public init(histogram: LatencyHistogram) {
        count = Int(histogram.count)
        guard histogram.count > 0 else { return }
        let n = Double(histogram.count)
        let meanUs = Double(histogram.sumUs) / n
        let variance = Swift.max(0, histogram.sumSquaresUs / n - meanUs * meanUs)
        func rank(_ p: Double) -> Double? { histogram.percentileUs(p).map { Self.round($0 / 1_000) } }
        mean = Self.round(meanUs / 1_000)
        p50 = rank(0.50)
        p90 = rank(0.90)
        p95 = rank(0.95)
        p99 = rank(0.99)
        min = Self.ms(histogram.minUs)
        max = Self.ms(histogram.maxUs)
        stddev = Self.round(variance.squareRoot() / 1_000)
    }

    private static func ms(_ us: Int64) -> Double { Double(us) / 1_000 }
    private static func round(_ ms: Double) -> Double { (ms * 1_000).rounded() / 1_000 }
}

import Foundation

/// A mergeable distribution of latencies in microseconds: log-sized buckets (each value is known to within
/// ``relativeAccuracy`` of its bucket's middle, DDSketch-style) plus the exact count, sum, sum of squares,
/// minimum and maximum. Rollups store one per stretch of rounds, so percentiles over months stay within 1% of
/// the exact nearest-rank value (docs/semantics.md §6) while a report reads thousands of rows, not millions.
public struct LatencyHistogram: Hashable, Sendable {
    /// Largest relative error of a percentile: half the 1% the contract allows, for margin.
    public static let relativeAccuracy = 0.005
    private static let gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    private static let logGamma = log(gamma)

    /// Values per bucket index from ``firstIndex`` on (dense: a target's latencies fill a narrow band, and merging
    /// is then adding arrays); index 0 holds zeros, index `i > 0` holds `(γ^(i−2), γ^(i−1)]`.
    public private(set) var counts: [Int64] = []
    /// The bucket index of `counts[0]`.
    public private(set) var firstIndex: Int32 = 0
    /// Number of values.
    public private(set) var count: Int64 = 0
    /// Sum of the values.
    public private(set) var sumUs: Int64 = 0
    /// Sum of the squared values (a double: squares of long deadlines overflow 64-bit integers).
    public private(set) var sumSquaresUs: Double = 0
    /// Smallest value, 0 when empty.
    public private(set) var minUs: Int64 = 0
    /// Largest value, 0 when empty.
    public private(set) var maxUs: Int64 = 0

    /// An empty histogram.
    public init() {}

    /// Adds one value.
    public mutating func add(_ us: Int64) {
        let value = max(0, us)
        addToBucket(Self.index(of: value), 1)
        addMoments(count: 1, sumUs: value, sumSquaresUs: Double(value) * Double(value), minUs: value, maxUs: value)
    }

    /// Adds every value of `other`.
    public mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        guard !other.counts.isEmpty else { return }
        reserve(other.firstIndex...(other.firstIndex + Int32(other.counts.count) - 1))
        let shift = Int(other.firstIndex - firstIndex)
        counts.withUnsafeMutableBufferPointer { counts in
            other.counts.withUnsafeBufferPointer { added in
                for offset in added.indices { counts[shift + offset] &+= added[offset] }
            }
        }
        addMoments(count: other.count, sumUs: other.sumUs, sumSquaresUs: other.sumSquaresUs, minUs: other.minUs,
                   maxUs: other.maxUs)
    }

    private mutating func addToBucket(_ index: Int32, _ count: Int64) {
        reserve(index...index)
        counts[Int(index - firstIndex)] += count
    }

    /// Grows `counts` so that it spans `indices`.
    private mutating func reserve(_ indices: ClosedRange<Int32>) {
        if counts.isEmpty {
            firstIndex = indices.lowerBound
            counts = Array(repeating: 0, count: indices.count)
            return
        }
        if indices.lowerBound < firstIndex {
            counts.insert(contentsOf: repeatElement(0, count: Int(firstIndex - indices.lowerBound)), at: 0)
            firstIndex = indices.lowerBound
        }
        let lastIndex = firstIndex + Int32(counts.count) - 1
        if indices.upperBound > lastIndex {
            counts.append(contentsOf: repeatElement(0, count: Int(indices.upperBound - lastIndex)))
        }
    }

    private mutating func addMoments(count: Int64, sumUs: Int64, sumSquaresUs: Double, minUs: Int64, maxUs: Int64) {
        self.minUs = self.count == 0 ? minUs : min(self.minUs, minUs)
        self.maxUs = self.count == 0 ? maxUs : max(self.maxUs, maxUs)
        self.count += count
        self.sumUs += sumUs
        self.sumSquaresUs += sumSquaresUs
    }

    /// The nearest-rank value at `fraction` (0–1]: the middle of the bucket holding it, kept within the exact
    /// minimum and maximum; `nil` when empty.
    public func percentileUs(_ fraction: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = max(1, Int64((fraction * Double(count)).rounded(.up)))
        var seen: Int64 = 0
        for (offset, count) in counts.enumerated() {
            seen += count
            if seen >= rank {
                return min(Double(maxUs), max(Double(minUs), Self.middle(of: firstIndex + Int32(offset))))
            }
        }
        return Double(maxUs)
    }

    private static func index(of us: Int64) -> Int32 {
        us == 0 ? 0 : Int32((log(Double(us)) / logGamma).rounded(.up)) + 1
    }

    private static func middle(of index: Int32) -> Double {
        index == 0 ? 0 : 2 * pow(gamma, Double(index - 1)) / (gamma + 1)
    }

    /// A histogram from its dense buckets (`counts[0]` is bucket `firstIndex`) and moments, as a storage engine
    /// decodes one it stored.
    public init(firstIndex: Int32, counts: [Int64], count: Int64, sumUs: Int64, sumSquaresUs: Double, minUs: Int64,
                maxUs: Int64) {
        self.firstIndex = firstIndex
        self.counts = counts
        self.count = count
        self.sumUs = sumUs
        self.sumSquaresUs = sumSquaresUs
        self.minUs = minUs
        self.maxUs = maxUs
    }
}

public import Foundation

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

    /// The buckets as bytes, for storage: varint pairs of (index minus the previous index, count), in index order.
    public var encodedBuckets: Data {
        var bytes: [UInt8] = []
        var previous: Int32 = 0
        for (offset, count) in counts.enumerated() where count > 0 {
            let index = firstIndex + Int32(offset)
            Varint.append(UInt64(index - previous), to: &bytes)
            Varint.append(UInt64(count), to: &bytes)
            previous = index
        }
        return Data(bytes)
    }

    /// Rebuilds a stored histogram from its buckets (``encodedBuckets``) and moments.
    ///
    /// - throws: ``JinaHistoryError`` (storage) when the bytes are not a histogram or do not add up to `count`.
    public init(encodedBuckets data: Data, count: Int64, sumUs: Int64, sumSquaresUs: Double, minUs: Int64,
                maxUs: Int64) throws {
        // One pass over the bytes into (index, count) pairs on the stack (each pair takes two bytes or more), then
        // the dense counts allocated once at their size: a month's report decodes thousands of these.
        let total = try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Int64 in
            try withUnsafeTemporaryAllocation(of: (Int32, Int64).self, capacity: bytes.count / 2 + 1) { pairs in
                let (found, total) = try Self.scanBuckets(bytes, into: pairs)
                guard found > 0 else { return 0 }
                let first = pairs[0].0
                firstIndex = first
                counts = Array(unsafeUninitializedCapacity: Int(pairs[found - 1].0 - first) + 1) { dense, initialized in
                    dense.initialize(repeating: 0)
                    for pair in pairs[..<found] { dense[Int(pair.0 - first)] = pair.1 }
                    initialized = dense.count
                }
                return total
            }
        }
        guard total == count else { throw Self.damaged }
        self.count = count
        self.sumUs = sumUs
        self.sumSquaresUs = sumSquaresUs
        self.minUs = minUs
        self.maxUs = maxUs
    }

    private static var damaged: JinaHistoryError { .storage("a rollup's latency histogram is damaged") }

    /// Reads encoded buckets into `pairs` (room for one per two bytes, in index order): how many, and their total
    /// count.
    private static func scanBuckets(_ bytes: UnsafeRawBufferPointer,
                                    into pairs: UnsafeMutableBufferPointer<(Int32, Int64)>) throws
        -> (found: Int, total: Int64)
    {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return (0, 0) }
        let end = bytes.count
        var position = 0
        var index: Int32 = 0
        var first: Int32 = -1
        var total: Int64 = 0
        var found = 0
        while position < end {
            let delta = Varint.read(base, end, &position)
            let value = Varint.read(base, end, &position)
            // Indices only grow, and real ones stay below about 4,400 (a microsecond count of Int64.max); a broken
            // varint reads as UInt64.max and fails here too.
            guard delta <= 10_000, first < 0 || delta > 0, value <= UInt64(Int64.max), found < pairs.count
            else { throw Self.damaged }
            index &+= Int32(truncatingIfNeeded: delta)
            if first < 0 { first = index }
            let (sum, overflow) = total.addingReportingOverflow(Int64(value))
            guard !overflow, index - first < 10_000 else { throw Self.damaged }
            total = sum
            pairs[found] = (index, Int64(value))
            found += 1
        }
        return (found, total)
    }
}

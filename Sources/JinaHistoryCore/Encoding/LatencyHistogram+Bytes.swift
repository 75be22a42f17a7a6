public import Foundation

/// A latency histogram's byte format in the database: its non-empty buckets as varints.
extension LatencyHistogram {
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
        let (firstIndex, counts, total) = try data.withUnsafeBytes {
            (bytes: UnsafeRawBufferPointer) -> (Int32, [Int64], Int64) in
            try withUnsafeTemporaryAllocation(of: (Int32, Int64).self, capacity: bytes.count / 2 + 1) { pairs in
                let (found, total) = try Self.scanBuckets(bytes, into: pairs)
                guard found > 0 else { return (0, [], 0) }
                let first = pairs[0].0
                let counts = [Int64](unsafeUninitializedCapacity: Int(pairs[found - 1].0 - first) + 1) {
                    dense, initialized in
                    dense.initialize(repeating: 0)
                    for pair in pairs[..<found] { dense[Int(pair.0 - first)] = pair.1 }
                    initialized = dense.count
                }
                return (first, counts, total)
            }
        }
        guard total == count else { throw Self.damaged }
        self.init(firstIndex: firstIndex, counts: counts, count: count, sumUs: sumUs, sumSquaresUs: sumSquaresUs,
                  minUs: minUs, maxUs: maxUs)
    }

    private static var damaged: JinaHistoryError {
        .storage(StorageProblem(location: "rollup", reason: .damaged("a rollup's latency histogram is damaged")))
    }

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

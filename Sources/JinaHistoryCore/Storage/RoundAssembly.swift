/// Puts a report's rounds together from an engine's two streams, both in key order (slot, target, run): the rounds,
/// and the attempts stored apart (those of rounds that are not inline-healthy). Each round gets its attempts, an
/// inline-healthy one its single implied attempt, rounds a span covers are passed over before they are built, and
/// the rest go to the report in batches. Both engines read through it, so a report cannot tell them apart.
public struct RoundAssembly {
    /// The key a round and its attempts share, ordered as the tables are.
    public struct Key: Comparable, Sendable {
        /// The round's slot, UTC epoch ms.
        public var scheduledMs: Int64
        /// Target row id.
        public var targetId: Int64
        /// Recorder run row id.
        public var runId: Int64

        /// Creates a key.
        public init(scheduledMs: Int64, targetId: Int64, runId: Int64) {
            self.scheduledMs = scheduledMs
            self.targetId = targetId
            self.runId = runId
        }

        /// Slot, then target, then run.
        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.scheduledMs, lhs.targetId, lhs.runId) < (rhs.scheduledMs, rhs.targetId, rhs.runId)
        }
    }

    private let nextAttempt: () throws -> (Key, AttemptRecord)?
    private let outOfOrder: JinaHistoryError
    private let batchSize: Int
    private var pending: (Key, AttemptRecord)?
    private var previousAttempt: Key?
    private var previousRound: Key?
    private var batch: [StoredRound] = []

    /// Starts with the first stored attempt of `nextAttempt`, which gives them in key order and `nil` after the
    /// last; `outOfOrder` is thrown when either stream breaks the order (a round twice included).
    public init(batchSize: Int, outOfOrder: JinaHistoryError,
                nextAttempt: @escaping () throws -> (Key, AttemptRecord)?) throws {
        self.nextAttempt = nextAttempt
        self.outOfOrder = outOfOrder
        self.batchSize = batchSize
        batch.reserveCapacity(batchSize)
        pending = try checkedAttempt()
    }

    /// Adds the round of `key` (built by `round` unless `skipping` covers it) with its attempts; hands each full
    /// batch to `body`.
    public mutating func add(_ key: Key, skipping: inout SpanCoverage, round: () -> RoundRecord,
                             _ body: ([StoredRound]) throws -> Void) throws {
        guard previousRound.map({ $0 < key }) ?? true else { throw outOfOrder }
        previousRound = key
        if skipping.covers(targetId: key.targetId, runId: key.runId, slotMs: key.scheduledMs) { return }
        var built = round()
        while let (attemptKey, attempt) = pending, attemptKey <= key {
            if attemptKey == key { built.attempts.append(attempt) }
            pending = try checkedAttempt()
        }
        built.restoreInlineAttempt()
        batch.append(StoredRound(targetId: key.targetId, runId: key.runId, round: built))
        if batch.count == batchSize {
            try body(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// Hands the last, partial batch to `body`.
    public mutating func finish(_ body: ([StoredRound]) throws -> Void) throws {
        if !batch.isEmpty { try body(batch) }
        batch.removeAll()
    }

    private mutating func checkedAttempt() throws -> (Key, AttemptRecord)? {
        guard let next = try nextAttempt() else { return nil }
        guard previousAttempt.map({ $0 <= next.0 }) ?? true else { throw outOfOrder }
        previousAttempt = next.0
        return next
    }
}

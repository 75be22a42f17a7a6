public import Foundation

/// What a storage engine answers for reports, timelines, exports and stats (docs/architecture.md): a handful of
/// range queries over one consistent snapshot. Which rounds, spans and loose stretches a window needs, and every
/// number made of them, is the core's (``HistoryFeed``); an engine implements queries and nothing else. SQLite
/// (`JinaHistorySQLite.HistoryReader`) implements it.
public protocol HistoryReading: Sendable {
    /// Where the history is, as it may be printed (no credentials).
    var location: String { get }

    /// Runs `body` over one consistent snapshot of the history; a reader never blocks the recorder.
    ///
    /// - throws: ``JinaHistoryError`` (storage) when the store cannot be read, or what `body` throws.
    func withSnapshot<T>(_ body: (any HistorySnapshot) throws -> T) throws -> T

    /// What the store holds and costs, with the engine's own figures.
    func stats() throws -> DatabaseStats
}

/// One consistent view of a history, valid inside ``HistoryReading/withSnapshot(_:)``. Rows cross it in bulk,
/// decoded once, next to the engine's own queries: lists, or batches for what may be long.
public protocol HistorySnapshot {
    /// Every recorder run, oldest first; a run without a stop mark says whether its process lives, where that can
    /// be known.
    func runs() throws -> [RecorderRunSpan]

    /// Every target, by name, with the policy of each run that probed it and its labels.
    func targets() throws -> [StoredTarget]

    /// Maintenance windows overlapping `range`, deleted ones included, by start.
    func maintenance(overlapping range: Range<Int64>) throws -> [MaintenanceWindow]

    /// Storage faults overlapping `range`, oldest first.
    func storageFaults(overlapping range: Range<Int64>) throws -> [StorageFault]

    /// Notifications handed to a destination in `range` (by ``NotificationDelivery/queuedMs``), by time; none in
    /// a history from before they were stored.
    func notifications(in range: Range<Int64>) throws -> [NotificationDelivery]

    /// The target's last transition to `state` known at `atMs` or before.
    func lastTransition(targetId: Int64, to state: TargetState, atOrBefore atMs: Int64) throws -> Transition?

    /// Transitions known in `range`, by time.
    func transitions(in range: Range<Int64>) throws -> [StoredTransition]

    /// The latest time before which `prune` deleted raw rounds, `nil` when it never ran.
    func prunedBeforeMs() throws -> Int64?

    /// The rollup levels this store has (a history from an older schema may lack some); none means raw rounds only.
    var rollupLevels: [RollupLevel] { get }

    /// Whether the store keeps copies of the rounds no span covers (loose stretches).
    var hasLooseStretches: Bool { get }

    /// Keys of `level`'s spans that begin in one of `ranges` (sorted and disjoint) and end at or after
    /// `lastAtLeast`, in key order. One call for every range: a report searches dozens, and a round trip each to a
    /// server cost more than the search.
    func spanKeys(_ level: RollupLevel, beginningIn ranges: [Range<Int64>], endingFrom lastAtLeast: Int64) throws
        -> [SpanKey]

    /// The spans of `keys` (in key order), read over `ranges`, the ranges those keys were searched in.
    func spans(_ level: RollupLevel, keys: [SpanKey], searchedIn ranges: [Range<Int64>],
               endingFrom lastAtLeast: Int64) throws -> any RollupSpanBatches

    /// The loose stretches with rounds in `[fromMs, untilMs)`, in key order, still in the engine's encoding: a
    /// report holds a month's as bytes and decodes one at a time (``decode(_:)``).
    func looseStretches(from fromMs: Int64, until untilMs: Int64) throws -> [EncodedLooseStretch]

    /// The rounds of a loose stretch this snapshot gave, with their attempts and failures.
    ///
    /// - throws: ``JinaHistoryError`` (storage) when its bytes are not its rounds.
    func decode(_ stretch: EncodedLooseStretch) throws -> [RoundRecord]

    /// Every round of `stretches` (sorted and disjoint), of every target or of one run (`run`: target and run
    /// ids), in key order (slot, target, run) with its attempts, handed to `body` in batches. Rounds that `skipping` covers are passed
    /// over before they are built.
    ///
    /// - throws: ``JinaHistoryError`` (storage) if the engine returns rounds out of order, or what `body` throws.
    func forEachRound(in stretches: [SlotStretch], of run: (targetId: Int64, runId: Int64)?,
                      skipping: inout SpanCoverage, _ body: ([StoredRound]) throws -> Void) throws
}

/// Rollup spans in key order, read in batches.
public protocol RollupSpanBatches {
    /// Appends up to `limit` more spans to `spans`; appends none once every span was read.
    mutating func next(into spans: inout [RollupSpan], limit: Int) throws
}

/// A loose stretch as a store keeps it: which rounds, and their bytes in the engine's own format, which only the
/// engine reads (``HistorySnapshot/decode(_:)``).
public struct EncodedLooseStretch: Sendable {
    /// The stretch's target, run, first and last slot.
    public var key: SpanKey
    /// Rounds in it.
    public var rounds: Int
    /// The engine's encoding of the rounds.
    public var payload: Data

    /// Creates a stretch as read.
    public init(key: SpanKey, rounds: Int, payload: Data) {
        self.key = key
        self.rounds = rounds
        self.payload = payload
    }
}

extension HistorySnapshot {
    /// Every round of `stretches`, no span covering any.
    public func forEachRound(in stretches: [SlotStretch], of run: (targetId: Int64, runId: Int64)? = nil,
                             _ body: ([StoredRound]) throws -> Void) throws {
        var none = SpanCoverage.none
        try forEachRound(in: stretches, of: run, skipping: &none, body)
    }
}

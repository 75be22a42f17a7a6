/// A writer's rollup trackers, one per target of its run (``RollupTracker``), and what each batch of rounds makes
/// them store: closed spans, grown day spans, complete loose stretches, and growing spans rewritten now and then.
/// Every storage engine's writer keeps one, so the rows a batch stores are the same whatever the engine.
///
/// A batch is planned first (``plan(_:runId:)``) and committed to the ledger (``commit(_:)``) only once the
/// engine committed its rows: a failed write is retried with the same rounds and the trackers where they were.
public struct RollupLedger: Sendable {
    /// How many rounds a growing span gains between two rewrites of its row: the rounds after its stored end are
    /// read raw until then, and a crash leaves them so (nothing is lost, a report reads a little more).
    public static let openSpanStoreRounds = 60

    private var trackers: [Int64: RollupTracker] = [:]

    /// An empty ledger.
    public init() {}

    /// What one batch stores, and the trackers as they are once it is committed.
    public struct Batch: Sendable {
        /// Closed spans worth storing, and growing spans due for a rewrite of their row.
        public var spans: [RollupSpan] = []
        /// Day spans the batch grew.
        public var days: [RollupSpan] = []
        /// Loose stretches the batch completed.
        public var loose: [LooseRounds] = []
        fileprivate var trackers: [Int64: RollupTracker] = [:]
    }

    /// Starts tracking `targets` (row id and interval) for run `runId`, forgetting any earlier run's.
    public mutating func begin(runId: Int64, targets: [(id: Int64, intervalMs: Int64)]) {
        trackers = [:]
        for target in targets {
            trackers[target.id] = RollupTracker(intervalMs: target.intervalMs, targetId: target.id, runId: runId)
        }
    }

    /// What storing `rounds` of run `runId` writes besides the rounds. Only this batch's targets are copied
    /// (copying a thousand trackers per batch cost a tenth of the recorder's CPU).
    public func plan(_ rounds: [RecordedRound], runId: Int64) -> Batch {
        var batch = Batch()
        for recorded in rounds where batch.trackers[recorded.targetId] == nil {
            batch.trackers[recorded.targetId] = trackers[recorded.targetId]
        }
        let openBefore = batch.trackers.mapValues(\.open)
        var grown = Set<Int64>()
        for recorded in rounds {
            guard var tracker = batch.trackers[recorded.targetId], tracker.runId == runId else { continue }
            if let closed = tracker.observe(recorded.round, transition: recorded.transition) {
                if closed.isWorthStoring { batch.spans.append(closed) }
                tracker.day.map { batch.days.append($0) }
            }
            batch.loose += tracker.takeLoose()
            batch.trackers[recorded.targetId] = tracker
            grown.insert(recorded.targetId)
        }
        for id in grown.sorted() {
            guard let open = batch.trackers[id]?.open, open.isWorthStoring else { continue }
            let before = openBefore[id] ?? nil
            let roundsBefore = before?.firstMs == open.firstMs ? before?.rounds ?? 0 : 0
            if open.rounds / Self.openSpanStoreRounds > roundsBefore / Self.openSpanStoreRounds {
                batch.spans.append(open)
            }
        }
        return batch
    }

    /// Moves the trackers on to where `batch` left them, once its rows are committed.
    public mutating func commit(_ batch: Batch) {
        for (id, tracker) in batch.trackers { trackers[id] = tracker }
    }

    /// What run `runId` still holds as it stops: its growing spans in full, the day spans they join, and its
    /// loose rounds.
    public func closing(runId: Int64) -> Batch {
        var batch = Batch()
        for tracker in trackers.values.sorted(by: { $0.targetId < $1.targetId }) where tracker.runId == runId {
            let closing = tracker.closingRun()
            if let open = closing.open, open.isWorthStoring { batch.spans.append(open) }
            closing.day.map { batch.days.append($0) }
            batch.loose += closing.loose
        }
        return batch
    }
}

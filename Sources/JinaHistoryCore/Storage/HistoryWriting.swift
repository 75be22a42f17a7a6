/// What a storage engine writes (docs/architecture.md): the recorder's runs and rounds, in batches, and the
/// facts added after the fact. One engine per database; each call is one transaction, so a crash loses at most
/// the batch in flight. SQLite (`JinaHistorySQLite.HistoryWriter`) implements it.
public protocol HistoryWriting: Sendable {
    /// Where the history is, as it may be printed (no credentials).
    var location: String { get }

    /// Writes the run and registers its targets (created or updated by name) with their policies.
    ///
    /// With `exclusive` (a recorder), refuses to start while another recorder of the same `vantage` is running on
    /// this store (recorders of different vantages record side by side); the check and the new run are one
    /// transaction.
    ///
    /// - returns: the run id and each target's id, in the order given.
    /// - throws: ``JinaHistoryError`` naming the running recorder, or on a storage failure.
    func beginRun(startedMs: Int64, host: String, vantage: String, pid: Int, version: String,
                  targets: [ScheduledTarget], exclusive: Bool) throws -> (runId: Int64, targetIds: [Int64])

    /// Makes run `runId`, begun earlier (by another writer), the one later batches go to: a copy interrupted
    /// mid-run goes on where it stopped (`db copy`). Spans its earlier batches left growing stay as stored; the
    /// next ones begin after them.
    ///
    /// - throws: ``JinaHistoryError`` on a storage failure.
    func resumeRun(_ runId: Int64, targets: [(id: Int64, intervalMs: Int64)]) throws

    /// Stores a batch of rounds with what they imply (attempts, transitions, rollups) and the notifications'
    /// outcomes since the last batch, moves the run's heartbeat and records the storage fault the batch ends, if
    /// any, in one transaction.
    func append(_ rounds: [RecordedRound], deliveries: [NotificationDelivery], runId: Int64, heartbeatMs: Int64,
                endingFault: StorageFault?) throws

    /// Writes the run's clean-stop mark (its heartbeat moves up to it), with the rollups its targets still had open.
    func finishRun(_ runId: Int64, stoppedMs: Int64) throws

    /// Makes what is committed durable in the store's main file where the engine has one (best effort).
    func checkpoint()

    /// Records a maintenance window for one target (by name) or all.
    ///
    /// - throws: ``JinaHistoryError`` for an unknown target, or on a storage failure.
    func annotateMaintenance(targetName: String?, fromMs: Int64, toMs: Int64, note: String, createdMs: Int64) throws

    /// Marks maintenance window `id` deleted at `deletedMs`.
    ///
    /// - returns: the window as it was.
    /// - throws: ``JinaHistoryError`` when there is no such window or it was deleted already.
    func deleteMaintenance(id: Int64, deletedMs: Int64) throws -> MaintenanceWindow

    /// Deletes raw rounds before `beforeMs` that rollups cover (docs/storage.md).
    func prune(beforeMs: Int64, nowMs: Int64) throws -> PruneResult
}

extension HistoryWriting {
    /// A run from its host's vantage, by default one that does not exclude others (a recorded ping, a seeder).
    public func beginRun(startedMs: Int64, host: String, pid: Int, version: String, targets: [ScheduledTarget],
                         exclusive: Bool = false) throws -> (runId: Int64, targetIds: [Int64])
    {
        try beginRun(startedMs: startedMs, host: host, vantage: host, pid: pid, version: version, targets: targets,
                     exclusive: exclusive)
    }

    /// A batch of rounds alone that ends no storage fault.
    public func append(_ rounds: [RecordedRound], runId: Int64, heartbeatMs: Int64) throws {
        try append(rounds, deliveries: [], runId: runId, heartbeatMs: heartbeatMs, endingFault: nil)
    }
}

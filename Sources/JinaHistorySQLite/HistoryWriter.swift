import Foundation
import GRDB
import Synchronization
public import JinaHistoryCore

/// The single writer of a history database. Each call is one transaction; the recorder batches rounds so
/// that a busy recorder makes few commits, and a crash loses at most the rounds not yet handed over.
public final class HistoryWriter: HistoryWriting {
    /// The database file.
    public let path: String

    /// The database file, as printed.
    public var location: String { path }
    private let pool: DatabasePool
    /// Error-text ids already known, so repeated failures cost no lookup.
    private let errorIds = Mutex<[FailureDetail: Int64]>([:])
    /// Per target, the rollup span its rounds are growing, as of the last committed batch.
    private let rollups = Mutex(RollupLedger())

    /// Opens (creating and migrating) the database at `path` for writing.
    ///
    /// - throws: ``JinaHistoryError`` when the file cannot be created, is not a database, or is newer.
    public init(path: String) throws {
        self.path = path
        pool = try HistoryDatabase.openWriter(path: path)
    }

    /// Writes the run row and registers its targets (created or updated by name) with their policies.
    ///
    /// With `exclusive` (a recorder), refuses to start while another recorder is running on this database: its
    /// run has no stop mark and its process is alive (same host) or its heartbeat is recent (another host). The
    /// check and the new run are one transaction, so two recorders starting at once cannot both pass.
    ///
    /// - returns: the run id and each target's id, in the order given.
    /// - throws: ``JinaHistoryError`` naming the running recorder (pid, host, since), or on storage failure.
    public func beginRun(startedMs: Int64, host: String, vantage: String, pid: Int, version: String,
                         targets: [ScheduledTarget], exclusive: Bool) throws -> (runId: Int64, targetIds: [Int64]) {
        let began = try write { db -> (runId: Int64, targetIds: [Int64]) in
            if exclusive, let running = try Self.runningRecorder(db, nowMs: startedMs, vantage: vantage) {
                throw JinaHistoryError.recorderRunning(RunningRecorder(
                    location: path, pid: running.pid, host: running.host, vantage: running.vantage,
                    sinceMs: running.startedMs, runId: running.id))
            }
            try db.execute(
                sql: """
                    INSERT INTO recorder_run (started_ms, heartbeat_ms, host, vantage, pid, version)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [startedMs, startedMs, host, vantage, pid, version])
            let runId = db.lastInsertedRowID
            var targetIds: [Int64] = []
            for scheduled in targets {
                let target = scheduled.target
                let policy = scheduled.policy
                let id = try Int64.fetchOne(
                    db,
                    sql: """
                        INSERT INTO target (name, kind, url, created_ms, labels) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, url = excluded.url,
                            labels = excluded.labels
                        RETURNING id
                        """,
                    arguments: [target.name, target.kind.rawValue, target.endpoint.description, startedMs,
                                StoredTarget.storedLabels(target.labels)])!
                try db.execute(
                    sql: """
                        INSERT INTO run_target (run_id, target_id, url, interval_ms, timeout_ms, attempts, \
                        retry_delay_ms, min_successes, failure_threshold, success_threshold)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        runId, id, target.endpoint.description, policy.intervalMs, policy.timeoutMs,
                        policy.attempts, policy.retryDelayMs, policy.minSuccesses, policy.failureThreshold,
                        policy.successThreshold,
                    ])
                targetIds.append(id)
            }
            return (runId, targetIds)
        }
        rollups.withLock { ledger in
            ledger.begin(runId: began.runId, targets: zip(began.targetIds, targets).map { ($0, $1.policy.intervalMs) })
        }
        return began
    }

    public func resumeRun(_ runId: Int64, targets: [(id: Int64, intervalMs: Int64)]) throws {
        rollups.withLock { $0.begin(runId: runId, targets: targets) }
    }

    /// Stores a batch of rounds, their attempts and transitions, the rollup spans they grow or close and the loose
    /// stretches they complete, moves the run's heartbeat, and records the storage fault this batch ends (if writes
    /// had failed before it; a fault written again, by its start, is updated), in one transaction.
    public func append(_ rounds: [RecordedRound], deliveries: [NotificationDelivery] = [], runId: Int64,
                       heartbeatMs: Int64, endingFault: StorageFault? = nil) throws {
        // The trackers move on only once the batch is committed: a failed write is retried with the same rounds.
        let rollupBatch = rollups.withLock { $0.plan(rounds, runId: runId) }
        try write { db in
            if let fault = endingFault {
                try db.execute(
                    sql: """
                        INSERT INTO storage_fault (run_id, from_ms, to_ms, failed_writes, rounds_dropped, error)
                        VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (run_id, from_ms) DO UPDATE SET to_ms = excluded.to_ms,
                            failed_writes = excluded.failed_writes, rounds_dropped = excluded.rounds_dropped,
                            error = excluded.error
                        """,
                    arguments: [runId, fault.fromMs, fault.toMs, fault.failedWrites, fault.roundsDropped,
                                fault.message])
            }
            let insertRound = try db.cachedStatement(
                sql: """
                    INSERT INTO round (scheduled_ms, target_id, run_id, verdict, attempts, start_lag_ms, duration_us)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            let insertAttempt = try db.cachedStatement(
                sql: """
                    INSERT INTO attempt (scheduled_ms, target_id, run_id, role, n, started_ms, duration_us, ok, \
                    raw_code, error_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for recorded in rounds {
                let round = recorded.round
                try insertRound.execute(arguments: [
                    round.scheduledMs, recorded.targetId, runId, round.verdict.rawValue,
                    round.readinessAttempts.count, round.startLagMs, round.durationUs,
                ])
                if !round.isInlineHealthy {
                    for attempt in round.attempts {
                        try insertAttempt.execute(arguments: [
                            round.scheduledMs, recorded.targetId, runId, attempt.role.rawValue, attempt.number,
                            attempt.startedMs, attempt.durationUs, attempt.succeeded, attempt.rawCode,
                            try attempt.failure.map { try errorId(for: $0, db) },
                        ])
                    }
                }
                if let transition = recorded.transition {
                    try db.execute(
                        sql: """
                            INSERT INTO transition (target_id, run_id, at_ms, from_state, to_state, \
                            round_scheduled_ms, streak_started_ms, error_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            recorded.targetId, runId, transition.atMs, transition.from.rawValue,
                            transition.to.rawValue, transition.roundScheduledMs, transition.streakStartedMs,
                            try transition.failure.map { try errorId(for: $0, db) },
                        ])
                }
            }
            try Self.store(rollupBatch.spans, in: .base, db)
            try Self.store(rollupBatch.days, in: .day, db)
            try store(rollupBatch.loose, db)
            try Self.store(deliveries, runId: runId, db)
            // The run's last stored slot bounds where a report looks for its raw rounds (migration 0011).
            try db.execute(
                sql: """
                    UPDATE recorder_run SET heartbeat_ms = max(heartbeat_ms, ?1),
                        last_slot_ms = coalesce(max(last_slot_ms, ?2), ?2, last_slot_ms) WHERE id = ?3
                    """,
                arguments: [heartbeatMs, rounds.map(\.round.scheduledMs).max(), runId])
        }
        rollups.withLock { $0.commit(rollupBatch) }
    }

    private static func store(_ deliveries: [NotificationDelivery], runId: Int64, _ db: Database) throws {
        for delivery in deliveries {
            try db.execute(
                sql: """
                    INSERT INTO notification (run_id, target_id, event, transition_at_ms, queued_ms, finished_ms, \
                    destination, attempts, outcome, status, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    runId, delivery.targetId, delivery.event.rawValue, delivery.transitionAtMs, delivery.queuedMs,
                    max(delivery.finishedMs, delivery.queuedMs), delivery.destination, delivery.attempts,
                    delivery.outcome.rawValue, delivery.status, delivery.error,
                ])
        }
    }

    /// Inserts spans, or updates the ones earlier batches stored while they were still growing.
    private static func store(_ spans: [RollupSpan], in level: RollupLevel, _ db: Database) throws {
        guard !spans.isEmpty else { return }
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO \(level.table) (first_ms, target_id, run_id, last_ms, last_duration_us, verdict, \
                rounds, flaky, attempts, ok_attempts, ok_sum_us, ok_sum_sq_us, ok_min_us, ok_max_us, ok_histogram, \
                fail_sum_us, fail_sum_sq_us, fail_min_us, fail_max_us, fail_histogram)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (first_ms, target_id, run_id) DO UPDATE SET last_ms = excluded.last_ms,
                    last_duration_us = excluded.last_duration_us, rounds = excluded.rounds, flaky = excluded.flaky,
                    attempts = excluded.attempts, ok_attempts = excluded.ok_attempts, ok_sum_us = excluded.ok_sum_us,
                    ok_sum_sq_us = excluded.ok_sum_sq_us, ok_min_us = excluded.ok_min_us,
                    ok_max_us = excluded.ok_max_us, ok_histogram = excluded.ok_histogram,
                    fail_sum_us = excluded.fail_sum_us, fail_sum_sq_us = excluded.fail_sum_sq_us,
                    fail_min_us = excluded.fail_min_us, fail_max_us = excluded.fail_max_us,
                    fail_histogram = excluded.fail_histogram
                """)
        for span in spans {
            try upsert.execute(arguments: [
                span.firstMs, span.targetId, span.runId, span.lastMs, span.lastDurationUs, span.verdict.rawValue,
                span.rounds, span.flaky, span.attempts, span.success.count, span.success.sumUs,
                span.success.sumSquaresUs, span.success.minUs, span.success.maxUs, span.success.encodedBuckets,
                span.failure.sumUs, span.failure.sumSquaresUs, span.failure.minUs, span.failure.maxUs,
                span.failure.encodedBuckets,
            ])
        }
    }

    /// Inserts loose stretches (a stretch written again, by a retried batch, is replaced).
    private func store(_ stretches: [LooseRounds], _ db: Database) throws {
        guard !stretches.isEmpty else { return }
        let insert = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO loose_rounds (first_ms, target_id, run_id, last_ms, rounds, data)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
        for stretch in stretches {
            let data = try LooseRoundsCodec.encode(stretch.rounds, firstMs: stretch.firstMs) {
                try errorId(for: $0, db)
            }
            try insert.execute(arguments: [stretch.firstMs, stretch.targetId, stretch.runId, stretch.lastMs,
                                           stretch.rounds.count, data])
        }
    }

    /// Records a maintenance window after the fact, for the target named `targetName`, or for all targets.
    ///
    /// - throws: ``JinaHistoryError`` when no target has that name (naming the ones there are), or on storage.
    public func annotateMaintenance(targetName: String?, fromMs: Int64, toMs: Int64, note: String,
                                    createdMs: Int64) throws {
        try write { db in
            let targetId = try targetName.map { try SQLiteSnapshot.targetId(named: $0, db) }
            try db.execute(
                sql: """
                    INSERT INTO annotation (target_id, kind, from_ms, to_ms, note, created_ms)
                    VALUES (?, 'maintenance', ?, ?, ?, ?)
                    """,
                arguments: [targetId, fromMs, toMs, note, createdMs])
        }
    }

    /// Marks maintenance window `id` deleted at `deletedMs`: reports stop counting it and list it as deleted.
    ///
    /// - returns: the window as it was.
    /// - throws: ``JinaHistoryError`` (bad input) when there is no such window or it was deleted already.
    public func deleteMaintenance(id: Int64, deletedMs: Int64) throws -> MaintenanceWindow {
        try write { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT * FROM annotation WHERE id = ? AND kind = 'maintenance'", arguments: [id])
            else {
                throw JinaHistoryError.invalid(.delete, value: "\(id)", .noSuchMaintenanceWindow)
            }
            let window = MaintenanceWindow(id: id, targetId: row["target_id"], fromMs: row["from_ms"],
                                           toMs: row["to_ms"], note: row["note"], deletedMs: row["deleted_ms"])
            if let deletedMs = window.deletedMs {
                throw JinaHistoryError.invalid(.delete, value: "\(id)", .deletedAlready(atMs: deletedMs))
            }
            try db.execute(sql: "UPDATE annotation SET deleted_ms = ? WHERE id = ?", arguments: [deletedMs, id])
            return window
        }
    }

    /// The newest run of `vantage` without a stop mark whose recorder still lives.
    private static func runningRecorder(_ db: Database, nowMs: Int64, vantage: String) throws -> RecorderRunSpan? {
        try SQLiteSnapshot.runs(db).runningRecorder(vantage: vantage, nowMs: nowMs)
    }

    /// Deletes the raw rounds (and their attempts) that rollup spans ending before `beforeMs` cover, a few spans
    /// per transaction so a recorder writing beside it waits milliseconds, not minutes. Everything a report
    /// needs stays: spans, transitions, runs, annotations, and every round no span covers (the rounds that
    /// started, confirmed or ended an outage, skipped slots), so availability and outages of the pruned time do
    /// not change. Then gives freed pages back to the file system (incremental vacuum) and truncates the WAL.
    ///
    /// - returns: rounds and attempts deleted, and the pages given back.
    public func prune(beforeMs: Int64, nowMs: Int64) throws -> PruneResult {
        var result = PruneResult()
        // The horizon is written first: a reader that sees it uses spans alone before it, which is right
        // whether or not this prune has reached a span yet.
        let (pruneId, earlierHorizon) = try write { db -> (Int64, Int64?) in
            let earlier = try Int64.fetchOne(
                db, sql: "SELECT max(before_ms) FROM prune WHERE finished_ms IS NOT NULL")
            try db.execute(sql: "INSERT INTO prune (before_ms, at_ms, rounds, attempts) VALUES (?, ?, 0, 0)",
                           arguments: [beforeMs, nowMs])
            return (db.lastInsertedRowID, earlier)
        }
        // Spans that ended before the horizon of a prune that finished have no rounds left to delete.
        var key: (firstMs: Int64, targetId: Int64, runId: Int64) =
            ((earlierHorizon ?? Int64.min / 2) - RollupSpan.longestMs, Int64.min, Int64.min)
        var done = false
        while !done {
            done = try write { db -> Bool in
                let spans = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT first_ms, target_id, run_id, last_ms FROM rollup
                        WHERE last_ms < ? AND (first_ms, target_id, run_id) > (?, ?, ?)
                        ORDER BY first_ms, target_id, run_id LIMIT ?
                        """,
                    arguments: [beforeMs, key.firstMs, key.targetId, key.runId, Self.spansPerPruneBatch])
                for span in spans {
                    let covered: StatementArguments = [span["first_ms"], span["last_ms"], span["target_id"],
                                                       span["run_id"]]
                    let range = "scheduled_ms BETWEEN ? AND ? AND target_id = ? AND run_id = ?"
                    try db.execute(sql: "DELETE FROM attempt WHERE \(range)", arguments: covered)
                    result.attempts += db.changesCount
                    try db.execute(sql: "DELETE FROM round WHERE \(range)", arguments: covered)
                    result.rounds += db.changesCount
                    key = (span["first_ms"], span["target_id"], span["run_id"])
                }
                let finished = spans.count < Self.spansPerPruneBatch
                try db.execute(sql: "UPDATE prune SET rounds = ?, attempts = ?, finished_ms = ? WHERE id = ?",
                               arguments: [result.rounds, result.attempts, finished ? nowMs : nil, pruneId])
                return finished
            }
        }
        result.pagesFreed = try giveBackFreePages()
        _ = try? pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        return result
    }

    /// Spans whose rounds one prune transaction deletes: about 36,000 rounds at a 1 s interval.
    private static let spansPerPruneBatch = 60

    /// Moves free pages to the end of the file and truncates it, in steps (a database created before
    /// incremental auto-vacuum keeps its free pages, which new rounds reuse).
    private func giveBackFreePages() throws -> Int {
        var freed = 0
        while true {
            let step = try write { db -> Int in
                guard try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") == 2 else { return 0 }
                let before = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
                guard before > 0 else { return 0 }
                try db.execute(sql: "PRAGMA incremental_vacuum(2000)")
                return before - (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0)
            }
            guard step > 0 else { return freed }
            freed += step
        }
    }

    /// Writes the clean-stop mark: the run's time up to `stoppedMs` is evidence, not a crash.
    /// The run's growing spans are stored in full with it, joined into their day spans, and its loose rounds
    /// with them.
    public func finishRun(_ runId: Int64, stoppedMs: Int64) throws {
        let closing = rollups.withLock { $0.closing(runId: runId) }
        try write { db in
            try Self.store(closing.spans, in: .base, db)
            try Self.store(closing.days, in: .day, db)
            try store(closing.loose, db)
            try db.execute(
                sql: "UPDATE recorder_run SET heartbeat_ms = max(heartbeat_ms, ?), stopped_ms = ? WHERE id = ?",
                arguments: [stoppedMs, stoppedMs, runId])
        }
    }

    /// Copies the WAL's committed pages into the database file without waiting for readers (a passive
    /// checkpoint), so after a clean stop the file alone holds the history (for copies and `db stats`).
    public func checkpoint() {
        _ = try? pool.writeWithoutTransaction { try $0.checkpoint(.passive) }
    }

    private func errorId(for failure: FailureDetail, _ db: Database) throws -> Int64 {
        if let known = errorIds.withLock({ $0[failure] }) { return known }
        let id = try Int64.fetchOne(
            db,
            sql: """
                INSERT INTO error (class, exception, message, deployment, addresses) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (class, exception, message) DO UPDATE SET class = excluded.class RETURNING id
                """,
            arguments: [
                failure.errorClass.rawValue, failure.exception, failure.message, failure.deployment,
                failure.addresses,
            ])!
        errorIds.withLock { $0[failure] = id }
        return id
    }

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try HistoryDatabase.storageError(path) { try pool.write(body) }
        } catch {
            // The transaction rolled back: ids learnt inside it may not exist.
            errorIds.withLock { $0.removeAll() }
            throw error
        }
    }
}

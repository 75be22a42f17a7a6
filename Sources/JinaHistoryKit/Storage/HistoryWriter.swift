import Foundation
import GRDB
import Synchronization

/// The single writer of a history database. Each call is one transaction; the recorder batches rounds so
/// that a busy recorder makes few commits, and a crash loses at most the rounds not yet handed over.
public final class HistoryWriter: Sendable {
    /// The database file.
    public let path: String
    private let pool: DatabasePool
    /// Error-text ids already known, so repeated failures cost no lookup.
    private let errorIds = Mutex<[FailureDetail: Int64]>([:])

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
    public func beginRun(startedMs: Int64, host: String, pid: Int, version: String, targets: [ScheduledTarget],
                         exclusive: Bool = false) throws -> (runId: Int64, targetIds: [Int64]) {
        try write { db in
            if exclusive, let running = try Self.runningRecorder(db, nowMs: startedMs) {
                throw JinaHistoryError.conflict(
                    "another recorder is writing to \(path): pid \(running.pid) on \(running.host) since "
                        + "\(TimeText.rfc3339(running.startedMs)) (run \(running.id)); stop it first, or record into "
                        + "another --db (several targets fit in one recorder: give them all, or --config)")
            }
            try db.execute(
                sql: "INSERT INTO recorder_run (started_ms, heartbeat_ms, host, pid, version) VALUES (?, ?, ?, ?, ?)",
                arguments: [startedMs, startedMs, host, pid, version])
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
                                Self.json(target.labels)])!
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
    }

    /// Stores a batch of rounds, their attempts and transitions, moves the run's heartbeat, and records the
    /// storage fault this batch ends (if writes had failed before it; a fault written again, by its start, is
    /// updated), in one transaction.
    public func append(_ rounds: [RecordedRound], runId: Int64, heartbeatMs: Int64,
                       endingFault: StorageFault? = nil) throws {
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
            try db.execute(
                sql: "UPDATE recorder_run SET heartbeat_ms = max(heartbeat_ms, ?) WHERE id = ?",
                arguments: [heartbeatMs, runId])
        }
    }

    /// Records a maintenance window after the fact, for the target named `targetName`, or for all targets.
    ///
    /// - throws: ``JinaHistoryError`` when no target has that name (naming the ones there are), or on storage.
    public func annotateMaintenance(targetName: String?, fromMs: Int64, toMs: Int64, note: String,
                                    createdMs: Int64) throws {
        try write { db in
            let targetId = try targetName.map { try HistoryReader.targetId(named: $0, db) }
            try db.execute(
                sql: """
                    INSERT INTO annotation (target_id, kind, from_ms, to_ms, note, created_ms)
                    VALUES (?, 'maintenance', ?, ?, ?, ?)
                    """,
                arguments: [targetId, fromMs, toMs, note, createdMs])
        }
    }

    /// The newest run without a stop mark whose recorder still lives: by pid on this host, else by a heartbeat
    /// younger than the report's crash grace.
    private static func runningRecorder(_ db: Database, nowMs: Int64) throws -> RecorderRunSpan? {
        let localHost = ProcessInfo.processInfo.hostName
        for run in try HistoryReader.runs(db).reversed() where run.stoppedMs == nil {
            let alive = run.host == localHost
                ? run.processAlive == true
                : nowMs - run.heartbeatMs <= ReportBuilder.heartbeatGraceMs
            if alive { return run }
        }
        return nil
    }

    /// Labels as a JSON object with sorted keys, so equal labels are equal text.
    private static func json(_ labels: [String: String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: labels, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes the clean-stop mark: the run's time up to `stoppedMs` is evidence, not a crash.
    public func finishRun(_ runId: Int64, stoppedMs: Int64) throws {
        try write { db in
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

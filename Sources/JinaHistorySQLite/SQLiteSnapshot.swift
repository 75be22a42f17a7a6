import Foundation
import GRDB
import JinaHistoryCore

/// One read-only WAL snapshot of a history database, answering the storage interface's queries
/// (``HistorySnapshot``). Each query's SQL sits beside the code that decodes its rows, by column position where
/// reports read many of them.
struct SQLiteSnapshot: HistorySnapshot {
    let db: Database
    /// The file's schema version: tables later migrations add may be missing.
    let schemaVersion: Int
    /// Error texts by id, each read and parsed (deployment, addresses) once per snapshot: a stormy month's loose
    /// stretches hold thousands of failed attempts with a few distinct texts.
    let failures = FailureCache()

    init(_ db: Database, schemaVersion: Int) {
        self.db = db
        self.schemaVersion = schemaVersion
    }

    /// The failure details a snapshot has read, by error id (`-1` for a failure without one).
    final class FailureCache {
        var byId: [Int64: FailureDetail] = [:]
    }

    func runs() throws -> [RecorderRunSpan] { try Self.runs(db) }

    /// Every recorder run, oldest first, with whether its process still lives when it has no stop mark. A run
    /// from before vantages (migration 0009) stood at its host; one from before migration 0011 knows no last slot.
    static func runs(_ db: Database) throws -> [RecorderRunSpan] {
        try Row.fetchAll(db, sql: "SELECT * FROM recorder_run ORDER BY started_ms").map { row in
            var run = RecorderRunSpan(
                id: row["id"], startedMs: row["started_ms"], heartbeatMs: row["heartbeat_ms"],
                stoppedMs: row["stopped_ms"], host: row["host"], vantage: row["vantage"], pid: row["pid"],
                version: row["version"], lastSlotMs: row["last_slot_ms"])
            if run.stoppedMs == nil { run.processAlive = processAlive(host: run.host, pid: run.pid) }
            return run
        }
    }

    /// Whether a recorder on this host is still alive (signal 0 probes without signalling); `nil` for another
    /// host. A reused pid can only make a dead run look alive, and then its stale heartbeat still tells.
    private static func processAlive(host: String, pid: Int) -> Bool? {
        guard host == ProcessInfo.processInfo.hostName, pid > 0 else { return nil }
        return kill(pid_t(pid), 0) == 0 || errno == EPERM
    }

    func targets() throws -> [StoredTarget] {
        var policies: [Int64: [Int64: ProbePolicy]] = [:]
        var urls: [Int64: [Int64: String]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM run_target") {
            urls[row["target_id"], default: [:]][row["run_id"]] = row["url"]
            let policy = try ProbePolicy(
                intervalMs: row["interval_ms"], timeoutMs: row["timeout_ms"], attempts: row["attempts"],
                retryDelayMs: row["retry_delay_ms"], minSuccesses: row["min_successes"],
                failureThreshold: row["failure_threshold"], successThreshold: row["success_threshold"])
            policies[row["target_id"], default: [:]][row["run_id"]] = policy
        }
        // Labels came with migration 0002.
        let labels = schemaVersion >= 2 ? ", labels" : ""
        return try Row.fetchAll(db, sql: "SELECT id, name, kind, url\(labels) FROM target ORDER BY name").map { row in
            let id: Int64 = row["id"]
            var target = StoredTarget(
                id: id, name: row["name"], kind: TargetKind(rawValue: row["kind"]) ?? .flow, url: row["url"],
                policies: policies[id] ?? [:], labels: StoredTarget.labels(stored: row["labels"]))
            target.runUrls = urls[id] ?? [:]
            return target
        }
    }

    /// The row id of the target named `name`, for a write that names it.
    ///
    /// - throws: ``JinaHistoryError`` (bad input) naming the targets there are.
    static func targetId(named name: String, _ db: Database) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM target WHERE name = ?", arguments: [name]) {
            return id
        }
        throw HistoryFeed.unknownTarget(name, known: try String.fetchAll(db, sql: "SELECT name FROM target"))
    }

    func maintenance(overlapping range: Range<Int64>) throws -> [MaintenanceWindow] {
        // Deletion marks came with migration 0007.
        let deleted = schemaVersion >= 7 ? "deleted_ms" : "NULL"
        return try Row.fetchAll(
            db,
            sql: """
                SELECT id, target_id, from_ms, to_ms, note, \(deleted) AS deleted_ms FROM annotation
                WHERE kind = 'maintenance' AND to_ms > ? AND from_ms < ? ORDER BY from_ms, id
                """,
            arguments: [range.lowerBound, range.upperBound]
        ).map { row in
            MaintenanceWindow(id: row["id"], targetId: row["target_id"], fromMs: row["from_ms"], toMs: row["to_ms"],
                              note: row["note"], deletedMs: row["deleted_ms"])
        }
    }

    func storageFaults(overlapping range: Range<Int64>) throws -> [StorageFault] {
        // Storage faults came with migration 0003.
        guard schemaVersion >= 3 else { return [] }
        return try Row.fetchAll(
            db, sql: "SELECT * FROM storage_fault WHERE to_ms > ? AND from_ms < ? ORDER BY from_ms",
            arguments: [range.lowerBound, range.upperBound]
        ).map { row in
            StorageFault(fromMs: row["from_ms"], toMs: row["to_ms"], failedWrites: row["failed_writes"],
                         roundsDropped: row["rounds_dropped"], message: row["error"])
        }
    }

    func notifications(in range: Range<Int64>) throws -> [NotificationDelivery] {
        // Notifications came with migration 0008.
        guard schemaVersion >= 8 else { return [] }
        return try Row.fetchAll(
            db, sql: "SELECT * FROM notification WHERE queued_ms >= ? AND queued_ms < ? ORDER BY queued_ms, id",
            arguments: [range.lowerBound, range.upperBound]
        ).map { row in
            var delivery = NotificationDelivery(
                targetId: row["target_id"], event: TransitionNotice.Event(rawValue: row["event"]) ?? .down,
                transitionAtMs: row["transition_at_ms"], queuedMs: row["queued_ms"], finishedMs: row["finished_ms"],
                destination: row["destination"], attempts: row["attempts"],
                outcome: NotificationDelivery.Outcome(rawValue: row["outcome"]) ?? .failed, status: row["status"],
                error: row["error"])
            delivery.runId = row["run_id"]
            return delivery
        }
    }

    func lastTransition(targetId: Int64, to state: TargetState, atOrBefore atMs: Int64) throws -> Transition? {
        try Row.fetchOne(db, sql: Self.lastTransitionSQL, arguments: [targetId, state.rawValue, atMs])
            .map(Self.transition)
    }

    /// The report's queries are named, so a test can check that their plans use the tables' keys and indexes: a
    /// scan here would make reports slow down as history grows.
    static let lastTransitionSQL = """
        SELECT x.*, e.class, e.exception, e.message FROM transition x LEFT JOIN error e ON e.id = x.error_id
        WHERE x.target_id = ? AND x.to_state = ? AND x.at_ms <= ? ORDER BY x.at_ms DESC LIMIT 1
        """

    func transitions(in range: Range<Int64>) throws -> [StoredTransition] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT x.*, e.class, e.exception, e.message FROM transition x LEFT JOIN error e ON e.id = x.error_id
                WHERE x.at_ms >= ? AND x.at_ms < ? ORDER BY x.at_ms
                """,
            arguments: [range.lowerBound, range.upperBound]
        ).map { row in
            StoredTransition(targetId: row["target_id"], runId: row["run_id"], transition: Self.transition(row))
        }
    }

    private static func transition(_ row: Row) -> Transition {
        let failure = (row["class"] as String?).map { errorClass in
            FailureDetail(storedClass: errorClass, exception: row["exception"], message: row["message"])
        }
        return Transition(
            from: TargetState(rawValue: row["from_state"]) ?? .unknown,
            to: TargetState(rawValue: row["to_state"]) ?? .unknown, atMs: row["at_ms"],
            roundScheduledMs: row["round_scheduled_ms"], streakStartedMs: row["streak_started_ms"], failure: failure)
    }

    func prunedBeforeMs() throws -> Int64? {
        // Pruning came with migration 0004.
        guard schemaVersion >= 4 else { return nil }
        return try Int64.fetchOne(db, sql: "SELECT max(before_ms) FROM prune")
    }

    var rollupLevels: [RollupLevel] {
        (schemaVersion >= 4 ? [.base] : []) + (schemaVersion >= 5 ? [.day] : [])
    }

    var hasLooseStretches: Bool { schemaVersion >= 6 }

}

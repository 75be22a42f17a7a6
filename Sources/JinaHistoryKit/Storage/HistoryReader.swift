import Foundation
import GRDB

/// Reads a history database for reports. Opens it read-only and reads in one WAL snapshot, so a report sees a
/// consistent history and never blocks the recorder.
public final class HistoryReader: Sendable {
    /// The database file.
    public let path: String
    private let queue: DatabaseQueue
    /// The file's schema version: a database from an older jina-history is read as it is, without the tables
    /// later migrations add.
    let schemaVersion: Int

    /// Opens an existing database read-only.
    ///
    /// - throws: ``JinaHistoryError`` when there is no database at `path` (nothing is created), it holds no
    ///   history yet, or it is newer.
    public init(path: String) throws {
        self.path = path
        (queue, schemaVersion) = try HistoryDatabase.openReader(path: path)
    }

    /// Feeds everything a report of `builder`'s window needs into it, from one snapshot: runs, targets and
    /// rounds. Rounds start early enough that the state at the window's start, and an outage already running
    /// then, are known: from the round of each target's last change to `up` before the window (or its first
    /// round), and never later than one staleness cap before the window. Rollup spans stand in for the rounds
    /// they cover unless `useRollups` is off.
    public func load(into builder: inout ReportBuilder, useRollups: Bool = true) throws {
        let window = builder.window
        try HistoryDatabase.storageError(path) {
            try queue.read { db in
                let runs = try Self.runs(db)
                let targets = try Self.targets(db)
                let maintenance = try Self.maintenance(db, overlapping: window.sinceMs..<window.untilMs)
                builder.begin(runs: runs, targets: targets, maintenance: maintenance)
                builder.storageFaults = schemaVersion < 3 ? [] : try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM storage_fault WHERE to_ms > ? AND from_ms < ? ORDER BY from_ms",
                    arguments: [window.sinceMs, window.untilMs]
                ).map { row in
                    StorageFault(fromMs: row["from_ms"], toMs: row["to_ms"], failedWrites: row["failed_writes"],
                                 roundsDropped: row["rounds_dropped"], message: row["error"])
                }
                let loadFromMs = try Self.loadStart(db, targets: targets, sinceMs: window.sinceMs)
                try Self.feedRounds(db, into: &builder, fromMs: loadFromMs, targets: targets, runs: runs,
                                    tables: useRollups ? RollupTable.tables(schemaVersion: schemaVersion) : [],
                                    looseRounds: schemaVersion >= 6)
            }
        }
    }

    /// Every maintenance window, deleted ones included, for `annotate --list`, oldest first.
    public func maintenanceWindows() throws -> [MaintenanceWindow] {
        try readSnapshot { db in try Self.maintenance(db, overlapping: Int64.min..<Int64.max) }
    }

    /// The name of each target row id, for listing what refers to targets by id.
    public func targetNames() throws -> [Int64: String] {
        try readSnapshot { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, name FROM target").map {
                ($0["id"], $0["name"])
            })
        }
    }

    /// Maintenance windows overlapping `range`, deleted ones included (they carry ``MaintenanceWindow/deletedMs``).
    private static func maintenance(_ db: Database, overlapping range: Range<Int64>) throws -> [MaintenanceWindow] {
        let deleted = try db.columns(in: "annotation").contains { $0.name == "deleted_ms" } ? "deleted_ms" : "NULL"
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

    /// Runs `body` in one read-only snapshot, turning database errors into one-line storage errors.
    func readSnapshot<T>(_ body: (Database) throws -> T) throws -> T {
        try HistoryDatabase.storageError(path) { try queue.read(body) }
    }

    /// Sizes, rows per table and each target's rounds, from one snapshot.
    public func stats() throws -> DatabaseStats {
        let tables = ["target", "recorder_run", "run_target", "round", "attempt", "error", "transition", "annotation"]
            + (schemaVersion >= 3 ? ["storage_fault"] : []) + (schemaVersion >= 4 ? ["rollup", "prune"] : [])
            + (schemaVersion >= 5 ? ["rollup_day"] : []) + (schemaVersion >= 6 ? ["loose_rounds"] : [])
        let size = { (path: String) in
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
        }
        return try readSnapshot { db in
            let rows = try tables.map { ($0, try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)") ?? 0) }
            let targets = try Row.fetchAll(db, sql: """
                SELECT t.name, count(r.scheduled_ms) AS rounds, min(r.scheduled_ms) AS first_ms,
                       max(r.scheduled_ms) AS last_ms,
                       (SELECT rt.interval_ms FROM run_target rt WHERE rt.target_id = t.id
                         ORDER BY rt.run_id DESC LIMIT 1) AS interval_ms
                FROM target t LEFT JOIN round r ON r.target_id = t.id GROUP BY t.id ORDER BY t.name
                """).map { row in
                DatabaseStats.TargetShare(name: row["name"], rounds: row["rounds"], firstMs: row["first_ms"],
                                          lastMs: row["last_ms"], intervalMs: row["interval_ms"])
            }
            return DatabaseStats(
                schemaVersion: schemaVersion, fileBytes: size(path), walBytes: size(path + "-wal"),
                freePages: try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0,
                pageSize: try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4_096, rows: rows, targets: targets)
        }
    }

    /// Checks that a target named `name` was recorded, before anything is written about it.
    ///
    /// - throws: ``JinaHistoryError`` (bad input) naming the targets there are.
    public func requireTarget(named name: String) throws {
        _ = try readSnapshot { try Self.targetId(named: name, $0) }
    }

    /// The row id of the target named `name`.
    ///
    /// - throws: ``JinaHistoryError`` (bad input) naming the targets there are, for `--target`.
    static func targetId(named name: String, _ db: Database) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM target WHERE name = ?", arguments: [name]) {
            return id
        }
        let names = try String.fetchAll(db, sql: "SELECT name FROM target ORDER BY name")
        throw JinaHistoryError.badInput(
            "--target '\(name)' is not a recorded target; known: " + (names.isEmpty ? "none yet" : names.joined(separator: ", ")))
    }

    /// Every recorder run, oldest first, with whether its process still lives when it has no stop mark.
    static func runs(_ db: Database) throws -> [RecorderRunSpan] {
        try Row.fetchAll(db, sql: "SELECT * FROM recorder_run ORDER BY started_ms").map { row in
            var run = RecorderRunSpan(
                id: row["id"], startedMs: row["started_ms"], heartbeatMs: row["heartbeat_ms"],
                stoppedMs: row["stopped_ms"], host: row["host"], pid: row["pid"], version: row["version"])
            if run.stoppedMs == nil { run.processAlive = Self.processAlive(host: run.host, pid: run.pid) }
            return run
        }
    }

    /// Whether a recorder on this host is still alive (signal 0 probes without signalling); `nil` for another
    /// host. A reused pid can only make a dead run look alive, and then its stale heartbeat still tells.
    private static func processAlive(host: String, pid: Int) -> Bool? {
        guard host == ProcessInfo.processInfo.hostName, pid > 0 else { return nil }
        return kill(pid_t(pid), 0) == 0 || errno == EPERM
    }

    static func targets(_ db: Database) throws -> [StoredTarget] {
        var policies: [Int64: [Int64: ProbePolicy]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM run_target") {
            let policy = try ProbePolicy(
                intervalMs: row["interval_ms"], timeoutMs: row["timeout_ms"], attempts: row["attempts"],
                retryDelayMs: row["retry_delay_ms"], minSuccesses: row["min_successes"],
                failureThreshold: row["failure_threshold"], successThreshold: row["success_threshold"])
            policies[row["target_id"], default: [:]][row["run_id"]] = policy
        }
        let labels = try db.columns(in: "target").contains { $0.name == "labels" } ? ", labels" : ""
        return try Row.fetchAll(db, sql: "SELECT id, name, kind, url\(labels) FROM target ORDER BY name").map { row in
            let id: Int64 = row["id"]
            return StoredTarget(
                id: id, name: row["name"], kind: TargetKind(rawValue: row["kind"]) ?? .flow, url: row["url"],
                policies: policies[id] ?? [:], labels: Self.labels(row["labels"]))
        }
    }

    /// A target's labels from their stored JSON object; none when the column is absent (before migration 0002).
    static func labels(_ json: String?) -> [String: String] {
        guard let json, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        else { return [:] }
        return object
    }

    private static func loadStart(_ db: Database, targets: [StoredTarget], sinceMs: Int64) throws -> Int64 {
        let longestCap = targets.flatMap(\.policies.values).map(ReportBuilder.stalenessBoundMs).max() ?? 0
        var start = sinceMs - longestCap
        for target in targets {
            let lastUp = try lastTransitionMs("round_scheduled_ms", to: .up, target: target.id, atOrBefore: sinceMs, db)
            let lastDown = try lastTransitionMs("streak_started_ms", to: .down, target: target.id, atOrBefore: sinceMs, db)
            // Only an outage still open at the window's start needs its beginning replayed.
            if let lastDown, lastUp.map({ $0 < lastDown }) ?? true {
                start = min(start, lastUp ?? lastDown)
            }
        }
        return start
    }

    /// A column of the target's last transition to `state` known at `atOrBefore`.
    private static func lastTransitionMs(_ column: String, to state: TargetState, target: Int64, atOrBefore: Int64,
                                         _ db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db,
            sql: lastTransitionSQL(column), arguments: [target, state.rawValue, atOrBefore])
    }

    /// The report's queries, named so a test can check their plans use the tables' keys and indexes: a scan
    /// here would make reports slow down as history grows.
    static func lastTransitionSQL(_ column: String) -> String {
        """
        SELECT \(column) FROM transition WHERE target_id = ? AND to_state = ? AND at_ms <= ?
        ORDER BY at_ms DESC LIMIT 1
        """
    }

    /// The slot stretches of a JSON array of `[from, until, target]` (`[from, until)`, and the one target whose
    /// rows are wanted, or -1 for all), as columns `lo`, `hi`, `t` of `w`. The `LIMIT` keeps SQLite from folding
    /// it into the outer query, which would parse the JSON again for every row the target filter looks at.
    private static let stretchesSQL = """
        (SELECT json_extract(value, '$[0]') AS lo, json_extract(value, '$[1]') AS hi, json_extract(value, '$[2]') AS t
         FROM json_each(?) LIMIT -1) AS w
        """

    /// Attempts of the slot stretches (see `stretchesSQL`; of one target and run, with `oneTarget`), with their
    /// error texts. One statement reads every stretch: a month's report has thousands. Rows come stretch by
    /// stretch and, within one, in key order (the plan walks the stretches, then the table's key: the query-plan
    /// test holds it to that), so sorted, disjoint stretches give round-key order without a sort. The targets
    /// and run are plain filters (`+ 0`): as equalities, SQLite would plan another way.
    static func attemptsInRangesSQL(oneTarget: Bool = false) -> String {
        """
        SELECT a.scheduled_ms, a.target_id, a.run_id, a.role, a.n, a.started_ms, a.duration_us, a.ok, a.raw_code,
               a.error_id, e.class, e.exception, e.message
        FROM \(stretchesSQL) CROSS JOIN attempt a LEFT JOIN error e ON e.id = a.error_id
        WHERE a.scheduled_ms >= w.lo AND a.scheduled_ms < w.hi AND (w.t < 0 OR a.target_id + 0 = w.t)\
        \(oneTarget ? " AND a.target_id + 0 = ? AND a.run_id + 0 = ?" : "")
        """
    }

    /// Rounds of the slot stretches (see `stretchesSQL`; of one target and run, with `oneTarget`), in key order
    /// for sorted, disjoint stretches (see ``attemptsInRangesSQL(oneTarget:)``).
    static func roundsInRangesSQL(oneTarget: Bool = false) -> String {
        """
        SELECT r.scheduled_ms, r.target_id, r.run_id, r.verdict, r.attempts, r.start_lag_ms, r.duration_us
        FROM \(stretchesSQL) CROSS JOIN round r
        WHERE r.scheduled_ms >= w.lo AND r.scheduled_ms < w.hi AND (w.t < 0 OR r.target_id + 0 = w.t)\
        \(oneTarget ? " AND r.target_id + 0 = ? AND r.run_id + 0 = ?" : "")
        """
    }

    // Built once: every report runs them.
    private static let attemptsSQL = attemptsInRangesSQL()
    private static let oneTargetAttemptsSQL = attemptsInRangesSQL(oneTarget: true)
    private static let roundsSQL = roundsInRangesSQL()
    private static let oneTargetRoundsSQL = roundsInRangesSQL(oneTarget: true)

    /// Streams the rounds of `ranges` (sorted and disjoint slot ranges) in time order, of one target and run if
    /// given (a rollup span the report could not use), joining the attempts of rounds that are not
    /// inline-healthy.
    ///
    /// `skipping` is asked for each round's (target, run, slot) before the round is built: the rounds a rollup
    /// span already stands for cost a check, not a record.
    ///
    /// - throws: ``JinaHistoryError`` (storage) if SQLite ever returns rounds out of key order, rather than
    ///   report from them.
    static func forEachRound(_ db: Database, in ranges: [Range<Int64>], targetId: Int64? = nil,
                             runId: Int64? = nil, skipping: (Int64, Int64, Int64) -> Bool = { _, _, _ in false },
                             _ body: (StoredRound) throws -> Void) throws {
        try forEachRound(db, in: ranges.map { SlotStretch($0, targetId: nil) }, targetId: targetId, runId: runId,
                         skipping: skipping, body)
    }

    /// The same, over `stretches` (sorted and disjoint), each for its one target if it names one.
    static func forEachRound(_ db: Database, in stretches: [SlotStretch], targetId: Int64? = nil,
                             runId: Int64? = nil, skipping: (Int64, Int64, Int64) -> Bool = { _, _, _ in false },
                             _ body: (StoredRound) throws -> Void) throws {
        guard !stretches.isEmpty else { return }
        let stretchesJSON = "[" + stretches.map {
            "[\($0.range.lowerBound),\($0.range.upperBound),\($0.targetId ?? -1)]"
        }.joined(separator: ",") + "]"
        var arguments: StatementArguments = [stretchesJSON]
        if let targetId, let runId { arguments += [targetId, runId] }
        let oneTarget = targetId != nil && runId != nil
        let attemptCursor = try Row.fetchCursor(
            db.cachedStatement(sql: oneTarget ? oneTargetAttemptsSQL : attemptsSQL), arguments: arguments)
        // Error texts repeat: each is parsed (deployment, addresses) once per read.
        var failures: [Int64: FailureDetail] = [:]
        var previousAttempt: RoundKey?
        func nextAttempt() throws -> (RoundKey, AttemptRecord)? {
            guard let row = try attemptCursor.next() else { return nil }
            let key = RoundKey(scheduledMs: row[0], targetId: row[1], runId: row[2])
            guard previousAttempt.map({ $0 <= key }) ?? true else { throw Self.outOfOrder }
            previousAttempt = key
            var failure: FailureDetail?
            if (row[7] as Int64) != 1 {
                let errorId: Int64 = row[9] ?? -1
                failure = failures[errorId] ?? failureDetail(errorClass: row[10], exception: row[11], message: row[12])
                failures[errorId] = failure
            }
            return (
                key,
                AttemptRecord(
                    role: AttemptRecord.Role(rawValue: row[3]) ?? .readiness, number: row[4], startedMs: row[5],
                    durationUs: row[6], rawCode: row[8], failure: failure)
            )
        }
        var pendingAttempt = try nextAttempt()
        let rounds = try Row.fetchCursor(db.cachedStatement(sql: oneTarget ? oneTargetRoundsSQL : roundsSQL),
                                         arguments: arguments)
        var previous: RoundKey?
        while let row = try rounds.next() {
            // Columns by position (see roundsInRangesSQL): reports read many rounds.
            let key = RoundKey(scheduledMs: row[0], targetId: row[1], runId: row[2])
            guard previous.map({ $0 < key }) ?? true else { throw Self.outOfOrder }
            previous = key
            if skipping(key.targetId, key.runId, key.scheduledMs) { continue }
            var round = RoundRecord(
                scheduledMs: key.scheduledMs, verdict: RoundVerdict(rawValue: row[3]) ?? .down, startLagMs: row[5],
                durationUs: row[6])
            while let (attemptKey, attempt) = pendingAttempt, attemptKey <= key {
                if attemptKey == key { round.attempts.append(attempt) }
                pendingAttempt = try nextAttempt()
            }
            round.restoreInlineAttempt()
            try body(StoredRound(targetId: key.targetId, runId: key.runId, round: round))
        }
    }

    /// A failed attempt's detail from its `error` row's columns (all `nil` when it has no error text).
    static func failureDetail(errorClass: String?, exception: String?, message: String?) -> FailureDetail {
        FailureDetail(ErrorClass(rawValue: errorClass ?? "") ?? .rpcError, message: message ?? "",
                      exception: exception ?? "")
    }

    private static var outOfOrder: JinaHistoryError {
        .storage("SQLite returned rounds out of slot order (its query plan changed), so no report is made from "
            + "them; please report this with the output of `sqlite3 --version`")
    }

    /// The primary key shared by a round and its attempts, ordered as the tables are.
    private struct RoundKey: Comparable {
        var scheduledMs: Int64
        var targetId: Int64
        var runId: Int64

        static func < (lhs: RoundKey, rhs: RoundKey) -> Bool {
            (lhs.scheduledMs, lhs.targetId, lhs.runId) < (rhs.scheduledMs, rhs.targetId, rhs.runId)
        }
    }
}

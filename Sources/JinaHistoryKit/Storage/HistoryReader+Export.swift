import Foundation
import GRDB

/// The raw tables `jina-history export` writes, one row per stored fact, times in RFC 3339 UTC.
public enum ExportTable: String, Sendable, CaseIterable {
    /// Every scheduled round: verdict, attempts made, lag and duration.
    case rounds
    /// Every attempt, the inline healthy ones included, with its class, raw code and message.
    case attempts
    /// Every state change the recorder saw.
    case transitions
    /// The outages of the report, as the report counts them.
    case outages

    /// Column names, in order; every table ends with the target's `labels`.
    public var columns: [String] {
        switch self {
        case .rounds:
            ["target", "run", "scheduled_at", "verdict", "attempts", "start_lag_ms", "duration_ms", "labels"]
        case .attempts:
            ["target", "run", "scheduled_at", "role", "n", "started_at", "duration_ms", "ok", "class", "raw_code",
             "exception", "deployment", "message", "labels"]
        case .transitions:
            ["target", "run", "at", "from", "to", "streak_started_at", "class", "message", "labels"]
        case .outages:
            ["target", "started_at", "confirmed_at", "ended_at", "duration_s", "failed_rounds", "layer", "class",
             "exception", "deployment", "message", "labels"]
        }
    }
}

extension HistoryReader {
    /// Streams `table`'s rows of `window` (by slot or transition time), optionally for one target, in time
    /// order, from one snapshot. Text that is empty is `nil`, as in the report's JSON.
    ///
    /// - throws: ``JinaHistoryError`` for an unknown target (naming the known ones) or an unreadable database.
    public func export(_ table: ExportTable, window: ReportWindow, target: String?,
                       row: ([Any?]) throws -> Void) throws {
        if table == .outages {
            if let target { _ = try readSnapshot { db in try Self.targetId(named: target, db) } }
            for report in try report(window: window).targets where target == nil || report.name == target {
                for outage in report.outages {
                    let failure = outage.firstFailure
                    try row([
                        report.name, TimeText.rfc3339(outage.startedMs), TimeText.rfc3339(outage.confirmedMs),
                        outage.endedMs.map(TimeText.rfc3339), Double(outage.durationMs) / 1_000, outage.failedRounds,
                        outage.layer?.rawValue, failure?.errorClass.rawValue, nonEmpty(failure?.exception),
                        nonEmpty(failure?.deployment), nonEmpty(failure?.message), report.labels,
                    ])
                }
            }
            return
        }
        guard let (sql, convert) = Self.query(table, hasLabels: schemaVersion >= 2) else { return }
        try readSnapshot { db in
            let targetId = try target.map { try Self.targetId(named: $0, db) }
            let cursor = try Row.fetchCursor(
                db, sql: sql, arguments: [window.sinceMs, window.untilMs, targetId, targetId])
            while let next = try cursor.next() { try row(convert(next)) }
        }
    }

    /// The SQL of a stored table (bound to since, until, target, target) and how a row becomes values; `nil`
    /// for outages, which are counted, not stored.
    private static func query(_ table: ExportTable, hasLabels: Bool) -> (String, (Row) -> [Any?])? {
        func time(_ row: Row, _ column: String) -> String? { (row[column] as Int64?).map(TimeText.rfc3339) }
        func milliseconds(_ row: Row, _ column: String) -> Double? { (row[column] as Int64?).map { Double($0) / 1_000 } }
        func text(_ row: Row, _ column: String) -> String? { nonEmpty(row[column] as String?) }
        func labels(_ row: Row) -> [String: String] { HistoryReader.labels(row["labels"]) }
        let targetFilter = "(? IS NULL OR t.id = ?)"
        // Labels came with migration 0002.
        let labelsColumn = hasLabels ? "t.labels" : "'{}' AS labels"
        switch table {
        case .rounds:
            return ("""
                SELECT t.name, \(labelsColumn), r.* FROM round r JOIN target t ON t.id = r.target_id
                WHERE r.scheduled_ms >= ? AND r.scheduled_ms < ? AND \(targetFilter) ORDER BY r.scheduled_ms, t.name
                """, { row in
                    let verdict = RoundVerdict(rawValue: row["verdict"]).map { "\($0)" }
                    return [row["name"] as String, row["run_id"] as Int64, time(row, "scheduled_ms"), verdict,
                            row["attempts"] as Int64, row["start_lag_ms"] as Int64, milliseconds(row, "duration_us"),
                            labels(row)]
                })
        case .attempts:
            return ("""
                SELECT t.name, \(labelsColumn), a.*, e.class, e.exception, e.deployment, e.message FROM attempt_all a
                JOIN target t ON t.id = a.target_id LEFT JOIN error e ON e.id = a.error_id
                WHERE a.scheduled_ms >= ? AND a.scheduled_ms < ? AND \(targetFilter)
                ORDER BY a.scheduled_ms, t.name, a.role, a.n
                """, { row in
                    let role = (row["role"] as Int64) == 0 ? "readiness" : "gateway_liveness"
                    return [row["name"] as String, row["run_id"] as Int64, time(row, "scheduled_ms"), role,
                            row["n"] as Int64, time(row, "started_ms"), milliseconds(row, "duration_us"),
                            (row["ok"] as Int64) == 1, row["class"] as String?, row["raw_code"] as Int64?,
                            text(row, "exception"), text(row, "deployment"), text(row, "message"), labels(row)]
                })
        case .outages:
            return nil
        case .transitions:
            return ("""
                SELECT t.name, \(labelsColumn), x.*, e.class, e.message FROM transition x JOIN target t ON t.id = x.target_id
                LEFT JOIN error e ON e.id = x.error_id
                WHERE x.at_ms >= ? AND x.at_ms < ? AND \(targetFilter) ORDER BY x.at_ms, t.name
                """, { row in
                    [row["name"] as String, row["run_id"] as Int64, time(row, "at_ms"), row["from_state"] as String,
                     row["to_state"] as String, time(row, "streak_started_ms"), row["class"] as String?,
                     text(row, "message"), labels(row)]
                })
        }
    }
}

/// `text`, or `nil` when it is empty: exports say "none" as the report's JSON does, with `null`.
private func nonEmpty(_ text: String?) -> String? {
    text.flatMap { $0.isEmpty ? nil : $0 }
}

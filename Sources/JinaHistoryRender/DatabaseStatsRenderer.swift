import Foundation
public import JinaHistoryCore

/// Renders `jina-history db stats`: for people, a few lines and a table per target; for programs, one JSON
/// object.
public enum DatabaseStatsRenderer {
    /// The stats of the store at `location` as text, ending with a newline.
    public static func text(_ stats: DatabaseStats, location: String) -> String {
        var lines = [
            "\(location) (schema \(stats.schemaVersion))",
            "size     \(ByteText.binary(stats.fileBytes)) file + \(ByteText.binary(stats.walBytes)) WAL; "
                + "\(stats.freePages) free pages of \(stats.pageSize) B",
            "rounds   \(stats.rounds)" + (stats.bytesPerRound.map { String(format: " (%.1f B each on disk)", $0) } ?? ""),
            "rows     " + stats.rows.map { "\($0.table) \($0.count)" }.joined(separator: ", "),
            "",
            "target".padding(toLength: 32, withPad: " ", startingAt: 0) + "   rounds  interval  per year  last round",
        ]
        for target in stats.targets {
            let interval = target.intervalMs.map { String(format: "%gs", Double($0) / 1_000) } ?? "-"
            let year = stats.projectedBytesPerYear(target).map { ByteText.binary(Int64($0)) } ?? "-"
            lines.append(target.name.oneLine(limit: 32).padding(toLength: 32, withPad: " ", startingAt: 0)
                + String(format: " %8d  %8@  %8@  ", target.rounds, interval, year)
                + (target.lastMs.map { TimeText.rfc3339($0) } ?? "never"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The stats of the store at `location` as pretty JSON, ending with a newline.
    public static func json(_ stats: DatabaseStats, location: String) -> String {
        func optional<T>(_ value: T?, _ json: (T) -> JSONValue) -> JSONValue { value.map(json) ?? .null }
        let document: JSONValue = .object([
            "path": .string(location), "schema_version": .integer(Int64(stats.schemaVersion)),
            "file_bytes": .integer(stats.fileBytes), "wal_bytes": .integer(stats.walBytes),
            "free_pages": .integer(Int64(stats.freePages)), "page_size": .integer(Int64(stats.pageSize)),
            "rounds": .integer(Int64(stats.rounds)), "bytes_per_round": optional(stats.bytesPerRound, JSONValue.number),
            "rows": .object(Dictionary(uniqueKeysWithValues: stats.rows.map { ($0.table, .integer(Int64($0.count))) })),
            "targets": .array(stats.targets.map { target in
                .object([
                    "name": .string(target.name), "rounds": .integer(Int64(target.rounds)),
                    "first_round": optional(target.firstMs) { .string(TimeText.rfc3339($0)) },
                    "last_round": optional(target.lastMs) { .string(TimeText.rfc3339($0)) },
                    "interval_s": optional(target.intervalMs) { .number(Double($0) / 1_000) },
                    "projected_bytes_per_year": optional(stats.projectedBytesPerYear(target), JSONValue.number),
                ])
            }),
        ])
        return JSONText.pretty(document) + "\n"
    }
}

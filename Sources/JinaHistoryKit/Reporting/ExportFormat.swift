import Foundation

/// What `jina-history export` writes: one table of raw history, as CSV or NDJSON, one line per row so any size
/// streams in constant memory.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// RFC 4180 CSV with a header line, one line per row; empty for a missing value.
    case csv
    /// One JSON object per line; `null` for a missing value.
    case ndjson

    /// The header line, if the format has one.
    public func header(_ columns: [String]) -> String? {
        self == .csv ? columns.map(Self.csvField).joined(separator: ",") : nil
    }

    /// One row; `values` line up with `columns` (String, Int64, Int, Double, Bool, labels as `[String: String]`,
    /// or nil).
    public func line(_ columns: [String], _ values: [Any?]) -> String {
        switch self {
        case .csv:
            return values.map { value in
                switch value {
                case nil: ""
                case let labels as [String: String]:
                    Self.csvField(labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";"))
                case let value?: Self.csvField("\(value)")
                }
            }.joined(separator: ",")
        case .ndjson:
            var object: [String: Any] = [:]
            for (column, value) in zip(columns, values) { object[column] = value ?? NSNull() }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
                ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// Control characters as spaces (so a row is one line and server text cannot drive a terminal), then quoted
    /// when it holds a comma or a quote, with quotes doubled (RFC 4180). NDJSON keeps text exactly, escaped.
    private static func csvField(_ text: String) -> String {
        let flat = text.oneLine(limit: .max)
        guard flat.contains(where: { ",\"".contains($0) }) else { return flat }
        return "\"" + flat.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

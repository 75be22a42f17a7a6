import Foundation
public import JinaHistoryCore

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

    /// One row; `values` line up with `columns`.
    public func line(_ columns: [String], _ values: [ExportValue?]) -> String {
        switch self {
        case .csv:
            return values.map { $0.map(Self.csvText).map(Self.csvField) ?? "" }.joined(separator: ",")
        case .ndjson:
            var object: [String: JSONValue] = [:]
            for (column, value) in zip(columns, values) { object[column] = value.map(Self.json) ?? .null }
            return JSONText.line(.object(object))
        }
    }

    private static func csvText(_ value: ExportValue) -> String {
        switch value {
        case .text(let text): text
        case .integer(let integer): "\(integer)"
        case .number(let number): "\(number)"
        case .bool(let bool): "\(bool)"
        case .labels(let labels): labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
        }
    }

    private static func json(_ value: ExportValue) -> JSONValue {
        switch value {
        case .text(let text): .string(text)
        case .integer(let integer): .integer(integer)
        case .number(let number): .number(number)
        case .bool(let bool): .bool(bool)
        case .labels(let labels): .object(labels.mapValues(JSONValue.string))
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

import Foundation
import JinaHistoryCore

/// An object as the renderers build it: ordered pairs, written with their keys sorted.
typealias JSONObject = KeyValuePairs<String, any JSONWritable>

/// A value ``JSONText`` can write: a string, number, boolean, optional (`nil` is `null`), array or ``JSONObject``.
/// Typed, so writing needs no casts: writing `Any` through casts cost most of a month's JSON report.
protocol JSONWritable {
    /// Appends the value's JSON text, nested `depth` levels deep, to `text`.
    func writeJSON(depth: Int, into text: inout [UInt8])
}

/// The one JSON writer of jina-history: reports, exports, stats and log lines, pretty-printed or on one line,
/// keys sorted, `/` not escaped. It exists because Foundation's `JSONSerialization` took longer than the rest of a
/// month's report put together (docs/benchmarks.md).
///
/// A value is written at a `depth`: its nesting for pretty output, or ``compact`` (a negative depth, and so every
/// depth nested in it) for one line without spaces.
public enum JSONText {
    /// The depth of a value written on one line.
    static let compact = Int.min / 2

    /// The JSON text of `value`, indented by two spaces.
    public static func pretty(_ value: JSONValue) -> String { String(decoding: prettyBytes(value), as: UTF8.self) }

    /// The JSON text of `value` on one line, as NDJSON and log lines want it.
    public static func line(_ value: JSONValue) -> String {
        var text: [UInt8] = []
        value.writeJSON(depth: compact, into: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// The JSON text of `value`, indented by two spaces.
    static func pretty(_ value: some JSONWritable) -> String {
        String(decoding: prettyBytes(value), as: UTF8.self)
    }

    /// The same text as UTF-8 bytes, followed by `terminator`.
    static func prettyBytes(_ value: some JSONWritable, terminator: String = "") -> [UInt8] {
        // Bytes, not a `String`: appending thousands of short pieces to a string cost more than building them.
        // Room for a stormy month's report at once: the allocator maps it lazily, so a small report touches only
        // the pages it writes, and a large one is not copied as it grows.
        var text: [UInt8] = []
        text.reserveCapacity(4 << 20)
        value.writeJSON(depth: 0, into: &text)
        text.append(contentsOf: terminator.utf8)
        return text
    }

    fileprivate static func writeArray(_ count: Int, depth: Int, into text: inout [UInt8],
                                       element: (Int, inout [UInt8]) -> Void) {
        guard count > 0 else {
            text.append(contentsOf: "[]".utf8)
            return
        }
        text.append(UInt8(ascii: "["))
        for index in 0..<count {
            separate(first: index == 0, depth: depth, &text)
            element(index, &text)
        }
        close(depth, &text)
        text.append(UInt8(ascii: "]"))
    }

    /// Writes one object member by member, for objects written thousands of times: each value is written as its
    /// own type, without the boxing a ``JSONObject``'s values need. The caller gives the keys in sorted order.
    struct ObjectWriter {
        private let depth: Int
        private var members = 0
        #if DEBUG
        private var lastKey = ""
        #endif

        /// Starts an object nested `depth` levels deep.
        init(depth: Int, into text: inout [UInt8]) {
            self.depth = depth
            text.append(UInt8(ascii: "{"))
        }

        /// Writes `key : value`.
        mutating func member(_ key: String, _ value: some JSONWritable, into text: inout [UInt8]) {
            #if DEBUG
            precondition(members == 0 || lastKey < key, "JSON keys must be given sorted: \(lastKey) before \(key)")
            lastKey = key
            #endif
            JSONText.separate(first: members == 0, depth: depth, &text)
            members += 1
            JSONText.writeKey(key, depth: depth, into: &text)
            value.writeJSON(depth: depth + 1, into: &text)
        }

        /// Closes the object.
        func end(into text: inout [UInt8]) {
            if members > 0 { JSONText.close(depth, &text) }
            text.append(UInt8(ascii: "}"))
        }
    }

    /// Before a member or element of a container at `depth`: a comma after the first, and a new indented line when
    /// pretty.
    fileprivate static func separate(first: Bool, depth: Int, _ text: inout [UInt8]) {
        if depth < 0 {
            if !first { text.append(UInt8(ascii: ",")) }
            return
        }
        text.append(contentsOf: first ? "\n".utf8 : ",\n".utf8)
        indent(depth + 1, &text)
    }

    /// Before the closing bracket of a non-empty container at `depth`: a new line at its indentation when pretty.
    fileprivate static func close(_ depth: Int, _ text: inout [UInt8]) {
        guard depth >= 0 else { return }
        text.append(UInt8(ascii: "\n"))
        indent(depth, &text)
    }

    /// A member's key and the colon after it.
    fileprivate static func writeKey(_ key: String, depth: Int, into text: inout [UInt8]) {
        writeString(key, into: &text)
        text.append(contentsOf: depth < 0 ? ":".utf8 : " : ".utf8)
    }

    fileprivate static func indent(_ depth: Int, _ text: inout [UInt8]) {
        // Copied from a row of spaces: appending a repeated element goes byte by byte.
        var rest = 2 * depth
        while rest > 0 {
            let step = min(rest, spaces.count)
            spaces.withUnsafeBufferPointer { text.append(contentsOf: $0[..<step]) }
            rest -= step
        }
    }

    private static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 32)

    fileprivate static func writeString(_ string: String, into text: inout [UInt8]) {
        text.append(UInt8(ascii: "\""))
        // Most strings need no escape: checked and copied from the string's own bytes, not its UTF-8 view's.
        let plain = string.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
            else { return false }
            text.append(contentsOf: bytes)
            return true
        }
        if plain == true {
            text.append(UInt8(ascii: "\""))
            return
        }
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): text.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): text.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): text.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): text.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): text.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                text.append(contentsOf: #"\u00"#.utf8)
                text.append(hex[Int(byte >> 4)])
                text.append(hex[Int(byte & 0xF)])
            default: text.append(byte)
            }
        }
        text.append(UInt8(ascii: "\""))
    }
}

extension String: JSONWritable {
    func writeJSON(depth: Int, into text: inout [UInt8]) { JSONText.writeString(self, into: &text) }
}

extension Int: JSONWritable {
    func writeJSON(depth: Int, into text: inout [UInt8]) { text.append(contentsOf: String(self).utf8) }
}

extension Int64: JSONWritable {
    func writeJSON(depth: Int, into text: inout [UInt8]) { text.append(contentsOf: String(self).utf8) }
}

extension Double: JSONWritable {
    func writeJSON(depth: Int, into text: inout [UInt8]) {
        text.append(contentsOf: isFinite ? description.utf8 : "null".utf8)
    }
}

extension Bool: JSONWritable {
    func writeJSON(depth: Int, into text: inout [UInt8]) { text.append(contentsOf: self ? "true".utf8 : "false".utf8) }
}

extension Optional: JSONWritable where Wrapped: JSONWritable {
    func writeJSON(depth: Int, into text: inout [UInt8]) {
        if let self { self.writeJSON(depth: depth, into: &text) } else { text.append(contentsOf: "null".utf8) }
    }
}

extension Array: JSONWritable where Element: JSONWritable {
    func writeJSON(depth: Int, into text: inout [UInt8]) {
        JSONText.writeArray(count, depth: depth, into: &text) { self[$0].writeJSON(depth: depth + 1, into: &$1) }
    }
}

extension Dictionary: JSONWritable where Key == String, Value == String {
    func writeJSON(depth: Int, into text: inout [UInt8]) {
        var object = JSONText.ObjectWriter(depth: depth, into: &text)
        for (key, value) in sorted(by: { $0.key < $1.key }) { object.member(key, value, into: &text) }
        object.end(into: &text)
    }
}

extension KeyValuePairs: JSONWritable where Key == String, Value == any JSONWritable {
    func writeJSON(depth: Int, into text: inout [UInt8]) {
        JSONMembers(self).writeJSON(depth: depth, into: &text)
    }
}

/// An object whose members are decided as it is built (a ``JSONObject`` is fixed once written down), written
/// with its keys sorted; a key set twice keeps its last value.
struct JSONMembers: JSONWritable {
    private var members: [(key: String, value: any JSONWritable)]

    /// The members of `object`.
    init(_ object: JSONObject) {
        members = Array(object)
    }

    /// Sets `key` to `value`.
    subscript(key: String) -> (any JSONWritable)? {
        get { members.last { $0.key == key }?.value }
        set {
            members.removeAll { $0.key == key }
            if let newValue { members.append((key, newValue)) }
        }
    }

    func writeJSON(depth: Int, into text: inout [UInt8]) {
        guard !members.isEmpty else {
            text.append(contentsOf: "{}".utf8)
            return
        }
        text.append(UInt8(ascii: "{"))
        for (offset, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
            JSONText.separate(first: offset == 0, depth: depth, &text)
            JSONText.writeKey(member.key, depth: depth, into: &text)
            member.value.writeJSON(depth: depth + 1, into: &text)
        }
        JSONText.close(depth, &text)
        text.append(UInt8(ascii: "}"))
    }
}

/// A JSON value built at run time (exports, stats, log lines), for ``JSONText``. Objects keep their keys and are
/// written with them sorted.
public enum JSONValue: Sendable, JSONWritable {
    /// `null`.
    case null
    /// A string.
    case string(String)
    /// A whole number.
    case integer(Int64)
    /// A fraction; `null` when not finite.
    case number(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    func writeJSON(depth: Int, into text: inout [UInt8]) {
        switch self {
        case .null: text.append(contentsOf: "null".utf8)
        case .string(let string): string.writeJSON(depth: depth, into: &text)
        case .integer(let integer): integer.writeJSON(depth: depth, into: &text)
        case .number(let number): number.writeJSON(depth: depth, into: &text)
        case .bool(let bool): bool.writeJSON(depth: depth, into: &text)
        case .array(let values): values.writeJSON(depth: depth, into: &text)
        case .object(let members):
            var object = JSONText.ObjectWriter(depth: depth, into: &text)
            for (key, value) in members.sorted(by: { $0.key < $1.key }) { object.member(key, value, into: &text) }
            object.end(into: &text)
        }
    }
}

import Foundation

/// Writes the plain values the renderers build (dictionaries with string keys, arrays, strings, integers,
/// doubles, booleans, `NSNull`) as pretty-printed JSON with sorted keys. It exists because Foundation's
/// `JSONSerialization` took longer than the rest of a month's report put together (docs/benchmarks.md).
enum JSONText {
    /// The JSON text of `value`, indented by two spaces, keys sorted, `/` not escaped.
    static func pretty(_ value: Any) -> String {
        // Bytes, not a `String`: appending thousands of short pieces to a string cost more than building them.
        var text: [UInt8] = []
        text.reserveCapacity(64 * 1_024)
        write(value, depth: 0, into: &text)
        return String(decoding: text, as: UTF8.self)
    }

    private static func write(_ value: Any, depth: Int, into text: inout [UInt8]) {
        // The most frequent shapes first, and arrays of objects without converting them to `[Any]`: every failed
        // or converting cast of an `Any` costs.
        if let string = value as? String {
            writeString(string, into: &text)
        } else if let object = value as? [String: Any] {
            writeObject(object, depth: depth, into: &text)
        } else if let number = value as? Double {
            text.append(contentsOf: number.isFinite ? number.description.utf8 : "null".utf8)
        } else if let number = value as? Int {
            text.append(contentsOf: String(number).utf8)
        } else if type(of: value) == NSNull.self {
            // Not `is NSNull`: on Linux that bridges an array or dictionary to Foundation, element by element,
            // before it fails.
            text.append(contentsOf: "null".utf8)
        } else if let flag = value as? Bool {
            text.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        } else if let number = value as? Int64 {
            text.append(contentsOf: String(number).utf8)
        } else if let objects = value as? [[String: Any]] {
            writeArray(objects.count, depth: depth, into: &text) { writeObject(objects[$0], depth: depth + 1, into: &$1) }
        } else if let array = value as? [Any] {
            writeArray(array.count, depth: depth, into: &text) { write(array[$0], depth: depth + 1, into: &$1) }
        } else {
            writeString(String(describing: value), into: &text)
        }
    }

    private static func writeObject(_ object: [String: Any], depth: Int, into text: inout [UInt8]) {
        guard !object.isEmpty else {
            text.append(contentsOf: "{}".utf8)
            return
        }
        text.append(UInt8(ascii: "{"))
        for (offset, member) in object.sorted(by: { $0.key < $1.key }).enumerated() {
            text.append(contentsOf: offset == 0 ? "\n".utf8 : ",\n".utf8)
            indent(depth + 1, &text)
            writeString(member.key, into: &text)
            text.append(contentsOf: " : ".utf8)
            write(member.value, depth: depth + 1, into: &text)
        }
        text.append(UInt8(ascii: "\n"))
        indent(depth, &text)
        text.append(UInt8(ascii: "}"))
    }

    private static func writeArray(_ count: Int, depth: Int, into text: inout [UInt8],
                                   element: (Int, inout [UInt8]) -> Void) {
        guard count > 0 else {
            text.append(contentsOf: "[]".utf8)
            return
        }
        text.append(UInt8(ascii: "["))
        for index in 0..<count {
            text.append(contentsOf: index == 0 ? "\n".utf8 : ",\n".utf8)
            indent(depth + 1, &text)
            element(index, &text)
        }
        text.append(UInt8(ascii: "\n"))
        indent(depth, &text)
        text.append(UInt8(ascii: "]"))
    }

    private static func indent(_ depth: Int, _ text: inout [UInt8]) {
        text.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    private static func writeString(_ string: String, into text: inout [UInt8]) {
        text.append(UInt8(ascii: "\""))
        if !string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            text.append(contentsOf: string.utf8)
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

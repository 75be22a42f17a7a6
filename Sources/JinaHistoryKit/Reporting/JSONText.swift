import Foundation

/// Writes the plain values the renderers build (dictionaries with string keys, arrays, strings, integers,
/// doubles, booleans, `NSNull`) as pretty-printed JSON with sorted keys. It exists because Foundation's
/// `JSONSerialization` took longer than the rest of a month's report put together (docs/benchmarks.md).
enum JSONText {
    /// The JSON text of `value`, indented by two spaces, keys sorted, `/` not escaped.
    static func pretty(_ value: Any) -> String {
        var text = ""
        text.reserveCapacity(4_096)
        write(value, depth: 0, into: &text)
        return text
    }

    private static func write(_ value: Any, depth: Int, into text: inout String) {
        // The most frequent shapes first, and arrays of objects without converting them to `[Any]`: every failed
        // or converting cast of an `Any` costs.
        if let string = value as? String {
            writeString(string, into: &text)
        } else if let object = value as? [String: Any] {
            writeObject(object, depth: depth, into: &text)
        } else if let number = value as? Double {
            text += number.isFinite ? "\(number)" : "null"
        } else if let number = value as? Int {
            text += String(number)
        } else if value is NSNull {
            text += "null"
        } else if let flag = value as? Bool {
            text += flag ? "true" : "false"
        } else if let number = value as? Int64 {
            text += String(number)
        } else if let objects = value as? [[String: Any]] {
            writeArray(objects.count, depth: depth, into: &text) { writeObject(objects[$0], depth: depth + 1, into: &$1) }
        } else if let array = value as? [Any] {
            writeArray(array.count, depth: depth, into: &text) { write(array[$0], depth: depth + 1, into: &$1) }
        } else {
            writeString(String(describing: value), into: &text)
        }
    }

    private static func writeObject(_ object: [String: Any], depth: Int, into text: inout String) {
        guard !object.isEmpty else {
            text += "{}"
            return
        }
        text += "{"
        for (offset, key) in object.keys.sorted().enumerated() {
            text += offset == 0 ? "\n" : ",\n"
            indent(depth + 1, &text)
            writeString(key, into: &text)
            text += " : "
            write(object[key] ?? NSNull(), depth: depth + 1, into: &text)
        }
        text += "\n"
        indent(depth, &text)
        text += "}"
    }

    private static func writeArray(_ count: Int, depth: Int, into text: inout String,
                                   element: (Int, inout String) -> Void) {
        guard count > 0 else {
            text += "[]"
            return
        }
        text += "["
        for index in 0..<count {
            text += index == 0 ? "\n" : ",\n"
            indent(depth + 1, &text)
            element(index, &text)
        }
        text += "\n"
        indent(depth, &text)
        text += "]"
    }

    private static let indents = (0..<16).map { String(repeating: "  ", count: $0) }

    private static func indent(_ depth: Int, _ text: inout String) {
        text += depth < indents.count ? indents[depth] : String(repeating: "  ", count: depth)
    }

    private static func writeString(_ string: String, into text: inout String) {
        if !string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            text += "\""
            text += string
            text += "\""
            return
        }
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                text += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}

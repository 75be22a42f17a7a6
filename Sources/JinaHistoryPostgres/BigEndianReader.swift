import Foundation
import JinaHistoryCore

/// Reads a packed row: the big-endian numbers and byte strings that PostgreSQL's `send` functions write, one after
/// another (reports read rounds, spans, span keys and loose stretches packed many to a row, which the driver decodes
/// far faster than a row each).
///
/// It reads from an array of its own: reading integers through `Data`'s slices and iterators took a tenth of a month's
/// report's CPU (perf, docs/benchmarks.md "The central store").
struct BigEndianReader {
    private let data: [UInt8]
    private var offset = 0

    /// A reader at the start of `data`.
    init(_ data: Data) {
        self.data = [UInt8](data)
    }

    /// Whether every byte was read.
    var isAtEnd: Bool { offset >= data.endIndex }

    /// The next signed integer of `width` bytes.
    mutating func integer(_ width: Int) throws -> Int64 {
        let end = offset + width
        guard end <= data.endIndex else { throw Self.truncated }
        var value: UInt64 = 0
        for index in offset..<end { value = value << 8 | UInt64(data[index]) }
        offset = end
        // Sign-extends from `width` bytes.
        let shift = UInt64(64 - 8 * width)
        return Int64(bitPattern: value << shift) >> shift
    }

    /// The next double (8 bytes, IEEE 754).
    mutating func double() throws -> Double {
        Double(bitPattern: UInt64(bitPattern: try integer(8)))
    }

    /// The next `count` bytes, as data of their own.
    mutating func bytes(_ count: Int) throws -> Data {
        guard count >= 0, offset + count <= data.endIndex else { throw Self.truncated }
        defer { offset += count }
        return Data(data[offset..<(offset + count)])
    }

    private static let truncated = JinaHistoryError.storage(StorageProblem(
        location: "PostgreSQL", reason: .other, detail: "a packed row ended in the middle of a record"))
}

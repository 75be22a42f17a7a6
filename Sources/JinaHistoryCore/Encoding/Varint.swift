/// Unsigned LEB128 varints (7 bits a byte, low first), the byte format of stored histograms and loose rounds.
enum Varint {
    /// Appends `value` to `bytes`.
    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Appends a signed value, zigzag-coded so small negatives stay short.
    static func append(signed value: Int64, to bytes: inout [UInt8]) {
        append(zigzag(value), to: &bytes)
    }

    /// `value` zigzag-coded: 0, -1, 1, -2, … as 0, 1, 2, 3, ….
    static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    /// The varint at `position` (moved past it), or `UInt64.max` when the bytes end inside it or it is too long.
    @inline(__always)
    static func read(_ base: UnsafePointer<UInt8>, _ end: Int, _ position: inout Int) -> UInt64 {
        guard position < end else { return .max }
        let lead = base[position]
        position += 1
        if lead < 0x80 { return UInt64(lead) }
        var value = UInt64(lead & 0x7F)
        var shift: UInt64 = 7
        while position < end, shift < 64 {
            let byte = base[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return .max
    }

    /// The zigzag-coded signed value of `coded`.
    static func signed(_ coded: UInt64) -> Int64 {
        Int64(bitPattern: coded >> 1) ^ -Int64(bitPattern: coded & 1)
    }
}

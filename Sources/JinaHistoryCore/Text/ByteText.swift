/// Sizes for people, in binary units: `0 B`, `812 B`, `4.0 KiB`, `1.5 MiB` (Foundation's formatter says "Zero KB").
public enum ByteText {
    /// `count` bytes with one decimal in the largest unit it reaches.
    public static func binary(_ count: Int64) -> String {
        guard count >= 1_024 else { return "\(count) B" }
        var value = Double(count)
        var unit = 0
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        while value >= 1_024, unit < units.count - 1 {
            value /= 1_024
            unit += 1
        }
        return "\((value * 10).rounded() / 10) \(units[unit])"
    }
}

import Foundation

/// Durations as people write them: `10ms`, `250ms`, `1s`, `1.5s`, `5m`, `2h`, `7d`, `2w`, or sums like `1h30m`.
public enum DurationText {
    private static let unitsMs: [(suffix: String, ms: Double)] = [
        ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
    ]

    /// Parses `text` into milliseconds.
    ///
    /// - parameter input: what the duration is for, named in the error.
    /// - throws: ``JinaHistoryError/invalid(_:value:_:)`` for text that is not a duration, or is negative.
    public static func milliseconds(_ text: String, for input: JinaHistoryError.Input) throws -> Int64 {
        let problem = JinaHistoryError.invalid(input, value: text, .notADuration)
        var rest = Substring(text.trimmingCharacters(in: .whitespaces).lowercased())
        guard !rest.isEmpty else { throw problem }
        if rest.hasPrefix("-") {
            throw JinaHistoryError.invalid(input, value: text, .negativeDuration)
        }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(number) else { throw problem }
            rest = rest.dropFirst(number.count)
            let letters = rest.prefix { $0.isLetter }
            guard let unit = unitsMs.first(where: { $0.suffix == letters }) else { throw problem }
            rest = rest.dropFirst(letters.count)
            total += value * unit.ms
        }
        guard total.isFinite, total < 1e15 else { throw problem }
        return Int64(total.rounded())
    }

    /// `ms` for people, in its two largest units: `45s`, `5m30s`, `2h`, `1126d3h`; `250ms` below a second.
    public static func text(_ ms: Int64) -> String {
        guard ms >= 1_000 else { return "\(max(0, ms))ms" }
        let units: [(suffix: String, ms: Int64)] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)]
        guard let first = units.firstIndex(where: { ms >= $0.ms }) else { return "\(ms)ms" }
        let whole = ms / units[first].ms
        let rest = first + 1 < units.count ? (ms % units[first].ms) / units[first + 1].ms : 0
        return "\(whole)\(units[first].suffix)" + (rest > 0 ? "\(rest)\(units[first + 1].suffix)" : "")
    }
}

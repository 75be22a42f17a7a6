import Foundation

/// Durations as people write them: `10ms`, `250ms`, `1s`, `1.5s`, `5m`, `2h`, `7d`, `2w`, or sums like `1h30m`.
public enum DurationText {
    private static let unitsMs: [(suffix: String, ms: Double)] = [
        ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
    ]

    /// Parses `text` into milliseconds.
    ///
    /// - parameter flag: the flag being parsed, named in the error.
    /// - throws: ``JinaHistoryError`` saying what is wrong and giving examples that work.
    public static func milliseconds(_ text: String, flag: String) throws -> Int64 {
        let problem = JinaHistoryError.badInput(
            "\(flag) '\(text)' is not a duration; write a number and a unit, e.g. 250ms, 10s, 5m, 2h, 7d")
        var rest = Substring(text.trimmingCharacters(in: .whitespaces).lowercased())
        guard !rest.isEmpty else { throw problem }
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
}

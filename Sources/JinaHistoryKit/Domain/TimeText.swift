import Foundation

/// Points in time as `--since`/`--until` take them: `now`, a duration back from now (`90s`, `24h`, `7d`), or an
/// RFC 3339 time (`2026-11-24T10:00:00Z`, `2026-11-24T11:00:00.250+01:00`).
public enum TimeText {
    /// Parses `text` into UTC epoch milliseconds, reading durations as "this long before `nowMs`".
    ///
    /// - throws: ``JinaHistoryError`` saying what is wrong and giving forms that work.
    public static func epochMilliseconds(_ text: String, flag: String, nowMs: Int64) throws -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "now" { return nowMs }
        if let first = trimmed.first, first.isNumber, !trimmed.contains("-"), !trimmed.contains(":") {
            return nowMs - (try DurationText.milliseconds(trimmed, flag: flag))
        }
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime],
        ] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: trimmed) {
                return Int64((date.timeIntervalSince1970 * 1_000).rounded())
            }
        }
        throw JinaHistoryError.badInput(
            "\(flag) '\(text)' is not a time; write a duration back from now (90s, 15m, 24h, 7d), 'now', "
                + "or an RFC 3339 time like 2026-11-24T10:00:00Z")
    }

    /// Formats UTC epoch milliseconds as RFC 3339 UTC with milliseconds, e.g. `2026-11-24T10:00:00.000Z`.
    public static func rfc3339(_ epochMs: Int64) -> String {
        let seconds = epochMs.quotientRounding(by: 1_000)
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec),
            Int(epochMs - seconds * 1_000))
    }
}

extension Int64 {
    /// Floor division, so times before 1970 still format with a millisecond part in 0...999.
    fileprivate func quotientRounding(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}

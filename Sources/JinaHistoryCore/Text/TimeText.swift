public import Foundation

/// Points in time as `--since`/`--until` take them: `now`, `today`, `yesterday`, a duration back from now
/// (`90s`, `24h`, `7d`, `2w`), unix seconds (`1795000000`), a date (`2026-11-24`: its midnight), a local time
/// (`2026-11-24T10:00`, `2026-11-24 10:00:00`), or an RFC 3339 time with its offset (`2026-11-24T10:00:00Z`,
/// `2026-11-24T11:00:00.250+01:00`). Dates and local times are read in the `--tz` zone (default UTC).
public enum TimeText {
    /// Parses `text` into UTC epoch milliseconds, reading durations as "this long before `nowMs`" and dates,
    /// `today`, `yesterday` and local times in `zone`.
    ///
    /// - throws: ``JinaHistoryError`` saying what is wrong and giving forms that work.
    public static func epochMilliseconds(_ text: String, for input: JinaHistoryError.Input, nowMs: Int64,
                                         zone: TimeZone = .gmt)
        throws -> Int64
    {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let now = Date(timeIntervalSince1970: Double(nowMs) / 1_000)
        switch trimmed.lowercased() {
        case "now": return nowMs
        case "today": return milliseconds(calendar.startOfDay(for: now))
        case "yesterday":
            return milliseconds(calendar.date(byAdding: .day, value: -1, to: calendar.startOfDay(for: now))!)
        default: break
        }
        if !trimmed.isEmpty, trimmed.allSatisfy(\.isNumber) {
            guard trimmed.count >= 9, let seconds = Int64(trimmed) else {
                throw JinaHistoryError.invalid(input, value: trimmed, .bareNumber)
            }
            return seconds * 1_000
        }
        if let first = trimmed.first, first.isNumber, !trimmed.contains("-"), !trimmed.contains(":") {
            return nowMs - (try DurationText.milliseconds(trimmed, for: input))
        }
        if trimmed.hasPrefix("-"), (try? DurationText.milliseconds(String(trimmed.dropFirst()), for: input)) != nil {
            throw JinaHistoryError.invalid(input, value: text, .negativeTime)
        }
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime],
        ] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: trimmed) { return milliseconds(date) }
        }
        if let local = localTime(trimmed, calendar: calendar) { return local }
        throw JinaHistoryError.invalid(input, value: text, .notATime)
    }

    /// The zone `--tz` names: an IANA name (`Europe/Berlin`), `UTC`, or a fixed offset (`+01:00`).
    ///
    /// - throws: ``JinaHistoryError`` naming the zone and the forms that work.
    public static func zone(named name: String) throws -> TimeZone {
        if name.uppercased() == "UTC" || name == "Z" { return .gmt }
        if let zone = TimeZone(identifier: name) { return zone }
        let offset = name.split(separator: ":")
        if let sign = name.first, sign == "+" || sign == "-", offset.count == 2,
            let hours = Int(offset[0].dropFirst()), let minutes = Int(offset[1]), hours <= 14, minutes < 60,
            let zone = TimeZone(secondsFromGMT: (sign == "-" ? -1 : 1) * (hours * 3_600 + minutes * 60))
        {
            return zone
        }
        throw JinaHistoryError.invalid(.timeZone, value: name, .notATimeZone)
    }

    /// `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` or the same with a space, read in `calendar`'s zone. A local
    /// time that does not exist (skipped by a DST change) moves forward, as a wall clock does.
    private static func localTime(_ text: String, calendar: Calendar) -> Int64? {
        let parts = text.replacingOccurrences(of: "T", with: " ").split(separator: " ")
        guard (1...2).contains(parts.count) else { return nil }
        let date = parts[0].split(separator: "-").compactMap { Int($0) }
        guard date.count == 3, parts[0].count == 10 else { return nil }
        var components = DateComponents(year: date[0], month: date[1], day: date[2], hour: 0, minute: 0, second: 0)
        var milliseconds = 0
        if parts.count == 2 {
            let time = parts[1].split(separator: ":")
            guard (2...3).contains(time.count), let hour = Int(time[0]), let minute = Int(time[1]) else { return nil }
            components.hour = hour
            components.minute = minute
            if time.count == 3 {
                guard let seconds = Double(time[2]), seconds < 60 else { return nil }
                components.second = Int(seconds)
                milliseconds = Int(((seconds - seconds.rounded(.down)) * 1_000).rounded())
            }
        }
        let day = DateComponents(year: date[0], month: date[1], day: date[2])
        guard day.isValidDate(in: calendar), (0..<24).contains(components.hour ?? 0),
            (0..<60).contains(components.minute ?? 0), let resolved = calendar.date(from: components)
        else { return nil }
        return Self.milliseconds(resolved) + Int64(milliseconds)
    }

    private static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000).rounded()) }

    /// Formats UTC epoch milliseconds as RFC 3339 in `zone`, with its offset (`Z` for UTC), e.g.
    /// `2026-11-24T11:00:00.000+01:00`: what people read, unambiguous across DST changes.
    public static func rfc3339(_ epochMs: Int64, zone: TimeZone) -> String {
        if ["GMT", "UTC"].contains(zone.identifier) { return rfc3339(epochMs) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = zone
        return formatter.string(from: Date(timeIntervalSince1970: Double(epochMs) / 1_000))
    }

    /// Formats UTC epoch milliseconds as RFC 3339 UTC with milliseconds, e.g. `2026-11-24T10:00:00.000Z`.
    public static func rfc3339(_ epochMs: Int64) -> String {
        let seconds = epochMs.floorDivided(by: 1_000)
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let year = Int(parts.tm_year) + 1900
        // A year past 9999 (or before 0) takes as many characters as it needs.
        let longYear = (0...9_999).contains(year) ? nil : Array(String(year).utf8)
        // Into one buffer by hand: reports print thousands of these, and building them from small strings (or
        // `String(format:)`, slow on Linux) cost 2 ms of a month's JSON report.
        return String(unsafeUninitializedCapacity: 24 + (longYear?.count ?? 0)) { buffer in
            var at = 0
            func put(_ value: Int, width: Int, then separator: UInt8?) {
                var rest = value
                for offset in stride(from: width - 1, through: 0, by: -1) {
                    buffer[at + offset] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                at += width
                if let separator {
                    buffer[at] = separator
                    at += 1
                }
            }
            if let longYear {
                for byte in longYear {
                    buffer[at] = byte
                    at += 1
                }
                buffer[at] = UInt8(ascii: "-")
                at += 1
            } else {
                put(year, width: 4, then: UInt8(ascii: "-"))
            }
            put(Int(parts.tm_mon) + 1, width: 2, then: UInt8(ascii: "-"))
            put(Int(parts.tm_mday), width: 2, then: UInt8(ascii: "T"))
            put(Int(parts.tm_hour), width: 2, then: UInt8(ascii: ":"))
            put(Int(parts.tm_min), width: 2, then: UInt8(ascii: ":"))
            put(Int(parts.tm_sec), width: 2, then: UInt8(ascii: "."))
            put(Int(epochMs - seconds * 1_000), width: 3, then: UInt8(ascii: "Z"))
            return at
        }
    }
}

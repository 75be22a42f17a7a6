import ArgumentParser
import Foundation
import JinaHistoryKit

/// `--since`, `--until` and `--tz`, shared by the commands that read a window of history.
struct WindowOptions: ParsableArguments {
    @Option(help: """
        Window start: a duration back from now (90s, 15m, 24h, 7d, 2w), now, today, yesterday, a date \\
        (2026-11-24), a local time (2026-11-24T10:00, read in --tz), an RFC 3339 time, or unix seconds.
        """)
    var since = "24h"

    @Option(help: "Window end, in the same forms as --since.")
    var until = "now"

    @Option(help: "Time zone for dates and local times in --since/--until and for printed times: UTC, an IANA name (Europe/Berlin) or +01:00.")
    var tz = "UTC"

    /// The window these options name, judged at `nowMs`.
    func window(nowMs: Int64) throws -> ReportWindow {
        let zone = try TimeText.zone(named: tz)
        return try ReportWindow(
            sinceMs: try TimeText.epochMilliseconds(since, flag: "--since", nowMs: nowMs, zone: zone),
            untilMs: try TimeText.epochMilliseconds(until, flag: "--until", nowMs: nowMs, zone: zone),
            nowMs: nowMs, zone: zone)
    }
}

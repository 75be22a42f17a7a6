import ArgumentParser
import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite

/// `--since`, `--until` and `--tz`, shared by the commands that read a window of history.
struct WindowOptions: ParsableArguments {
    // Unconditional, so that `--since -1h` reaches our own message instead of being read as a flag.
    @Option(parsing: .unconditional, help: """
        Window start: a duration back from now (90s, 15m, 24h, 7d, 2w), now, today, yesterday, a date \
        (2026-11-24), a local time (2026-11-24T10:00, read in --tz), an RFC 3339 time, or unix seconds.
        """)
    var since = "24h"

    @Option(parsing: .unconditional,
            help: "Window end, in the same forms as --since; a time after now is cut to now (and said so).")
    var until = "now"

    @Option(help: """
        Time zone of dates and local times in --since/--until: UTC, an IANA name (Europe/Berlin) or +01:00. \
        Text, Markdown, HTML and timeline times are printed in it; JSON and exports stay UTC.
        """)
    var tz = "UTC"

    /// The window these options name, judged at `nowMs`. History cannot be reported past now, so an end after
    /// now is cut to now, with a note on stderr (docs/semantics.md §5).
    func window(nowMs: Int64) throws -> ReportWindow {
        let zone = try TimeText.zone(named: tz)
        let sinceMs = try TimeText.epochMilliseconds(since, for: .since, nowMs: nowMs, zone: zone)
        let untilMs = try TimeText.epochMilliseconds(until, for: .until, nowMs: nowMs, zone: zone)
        guard sinceMs < nowMs else {
            throw UsageError(
                "--since \(since) is \(TimeText.rfc3339(sinceMs, zone: zone)), not before now; history ends now, so "
                    + "start the window earlier")
        }
        if untilMs > nowMs {
            Console.message("jina-history: note: --until \(until) is after now; the window ends now, "
                + "\(TimeText.rfc3339(nowMs, zone: zone))\n")
        }
        return try ReportWindow(sinceMs: sinceMs, untilMs: min(untilMs, nowMs), nowMs: nowMs, zone: zone)
    }
}

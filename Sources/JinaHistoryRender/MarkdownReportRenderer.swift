import Foundation
public import JinaHistoryCore

/// Renders a report as a paste-ready postmortem section in Markdown: a summary table per target, the outages,
/// each incident's timeline, maintenance and recorder-offline gaps as tables, and the counting method. Text from
/// servers is escaped so it can neither break a table nor become HTML.
public enum MarkdownReportRenderer {
    /// The report as Markdown, ending with a newline; `incidents` are the timelines of its first outages.
    public static func render(_ report: HistoryReport, incidents: [Incident] = []) -> String {
        let window = report.window
        func time(_ epochMs: Int64) -> String { TimeText.rfc3339(epochMs, zone: window.zone) }
        typealias Number = ReportNumberText
        var lines = [
            "## Readiness: \(time(window.sinceMs)) to \(time(window.untilMs)) (\(window.zoneName))", "",
            "| target | kind | availability | coverage | up | down | maintenance | unknown | outages | p50 ms | p95 ms |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for target in report.targets {
            let latency = target.successLatency
            let cells = [
                cell(target.name), target.kind.rawValue, Number.availability(target) ?? "no data",
                Number.coverage(target) ?? "n/a", Number.seconds(target.upMs), Number.seconds(target.downMs),
                Number.seconds(target.maintenanceMs), Number.seconds(target.unknownMs), "\(target.outages.count)",
                latency.p50.map(Number.ms) ?? "", latency.p95.map(Number.ms) ?? "",
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        let outages = report.outagesAcrossTargets
        if !outages.isEmpty {
            lines += ["", "### Outages", "",
                      "| target | started | ended | duration | failed rounds | flaps | class | layer | deployment | first error |",
                      "| --- | --- | --- | ---: | ---: | ---: | --- | --- | --- | --- |"]
            for (name, outage) in outages {
                let failure = outage.firstFailure
                let seenFrom = outage.vantages.isEmpty ? "" : " (seen from \(outage.vantages.joined(separator: ", ")))"
                let cells = [
                    cell(name + seenFrom), time(outage.startedMs), outage.endedMs.map(time) ?? "ongoing",
                    Number.seconds(outage.durationMs), "\(outage.failedRounds)", "\(outage.flaps)",
                    failure?.errorClass.rawValue ?? "", outage.layer?.rawValue ?? "", cell(failure?.deployment ?? ""),
                    cell(failure?.oneLineMessage(limit: 200) ?? ""),
                ]
                lines.append("| " + cells.joined(separator: " | ") + " |")
            }
        }
        lines += vantages(report, time: time)
        if !incidents.isEmpty {
            lines += ["", "### Incidents"]
            for incident in incidents {
                let outage = incident.outage
                lines += ["", "#### \(cell(incident.target)): \(time(outage.startedMs)) to "
                    + "\(outage.endedMs.map(time) ?? "ongoing") (\(DurationText.text(outage.durationMs)))", ""]
                lines += fenced(TimelineTextRenderer.render(incident.timeline, window: incident.window)
                    .split(separator: "\n").dropFirst().map(String.init))
            }
            if outages.count > incidents.count {
                lines += ["", "\(outages.count - incidents.count) more outages: `jina-history timeline --since … --until …`"]
            }
        }
        let maintenance = report.targets.flatMap { target in
            (target.maintenance + target.deletedMaintenance).map { (target.name, $0) }
        }
        if !maintenance.isEmpty {
            lines += ["", "### Maintenance", "", "| target | id | from | to | note | deleted |",
                      "| --- | ---: | --- | --- | --- | --- |"]
            for (name, window) in maintenance {
                lines.append("| \(cell(name)) | \(window.id) | \(time(window.fromMs)) | \(time(window.toMs)) | "
                    + "\(cell(window.note)) | \(window.deletedMs.map { time($0) + " (not counted)" } ?? "") |")
            }
        }
        let gaps = report.targets.flatMap { target in target.gaps.map { (target.name, $0) } }
        if !gaps.isEmpty {
            lines += ["", "### Recorder offline", "", "| target | from | to | duration | cause |",
                      "| --- | --- | --- | ---: | --- |"]
            for (name, gap) in gaps {
                lines.append("| \(cell(name)) | \(time(gap.startedMs)) | \(time(gap.endedMs)) | "
                    + "\(Number.seconds(gap.durationMs)) | \(gap.cause.rawValue) |")
            }
        }
        if !report.storageFaults.isEmpty {
            lines += ["", "### Storage faults", "", "| from | to | duration | failed writes | rounds dropped | error |",
                      "| --- | --- | ---: | ---: | ---: | --- |"]
            for fault in report.storageFaults {
                lines.append("| \(time(fault.fromMs)) | \(time(fault.toMs)) | \(Number.seconds(fault.durationMs)) | "
                    + "\(fault.failedWrites) | \(fault.roundsDropped) | \(cell(fault.message)) |")
            }
        }
        let method = report.method
        lines += ["", "_Availability is \(method.availability): up / (up + down) seconds; a verdict holds for "
            + "\(method.stalenessCap); a crashed recorder's tail is \(method.crashedRunTail); latency percentiles "
            + "are \(method.percentiles). Made by jina-history from its history database._"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Where several vantages recorded a target (docs/semantics.md §9): each one's account beside the combined
    /// view, and the partial outages. Nothing with one vantage.
    private static func vantages(_ report: HistoryReport, time: (Int64) -> String) -> [String] {
        let combined = report.targets.filter { !$0.vantages.isEmpty }
        guard !combined.isEmpty else { return [] }
        typealias Number = ReportNumberText
        var lines = ["", "### Vantages", "",
                     "| target | vantage | availability | everywhere | up | partial | down | unknown | outages | vantage-wide |",
                     "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for target in combined {
            for account in [target] + target.vantages {
                let cells = [
                    cell(target.name), account.vantage.map(cell) ?? "**combined**",
                    Number.availability(account) ?? "no data",
                    account.vantage == nil ? Number.availabilityEverywhere(account) ?? "no data" : "",
                    Number.seconds(account.upMs), account.vantage == nil ? Number.seconds(account.partialMs) : "",
                    Number.seconds(account.downMs), Number.seconds(account.unknownMs), "\(account.outages.count)",
                    account.vantage == nil ? "" : "\(account.outages.filter(\.vantageWide).count)",
                ]
                lines.append("| " + cells.joined(separator: " | ") + " |")
            }
        }
        let partials = combined.flatMap { target in target.partialOutages.map { (target.name, $0) } }
        if !partials.isEmpty {
            lines += ["", "### Partial outages", "", "| target | started | ended | duration | down from | up from |",
                      "| --- | --- | --- | ---: | --- | --- |"]
            for (name, partial) in partials {
                let wide = partial.vantageWide.isEmpty ? "" : " (vantage-wide: \(partial.vantageWide.joined(separator: ", ")))"
                lines.append("| \(cell(name)) | \(time(partial.startedMs)) | \(time(partial.endedMs)) | "
                    + "\(Number.seconds(partial.durationMs)) | \(cell(partial.failing.joined(separator: ", ") + wide)) | "
                    + "\(cell(partial.reachable.joined(separator: ", "))) |")
            }
        }
        return lines
    }

    /// `lines` as a code block, its fence longer than any run of backticks in them (server text may hold some).
    static func fenced(_ lines: [String]) -> [String] {
        var longest = 0
        for line in lines {
            var run = 0
            for character in line {
                run = character == "`" ? run + 1 : 0
                longest = max(longest, run)
            }
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return [fence + "text"] + lines + [fence]
    }

    /// One table cell: one line, pipes and HTML-significant characters escaped.
    static func cell(_ text: String) -> String {
        text.oneLine(limit: 300)
            .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "|", with: "\\|")
    }
}

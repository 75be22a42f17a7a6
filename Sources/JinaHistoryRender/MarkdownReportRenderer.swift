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
                let cells = [
                    cell(name), time(outage.startedMs), outage.endedMs.map(time) ?? "ongoing",
                    Number.seconds(outage.durationMs), "\(outage.failedRounds)", "\(outage.flaps)",
                    failure?.errorClass.rawValue ?? "", outage.layer?.rawValue ?? "", cell(failure?.deployment ?? ""),
                    cell(failure?.oneLineMessage(limit: 200) ?? ""),
                ]
                lines.append("| " + cells.joined(separator: " | ") + " |")
            }
        }
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

import Foundation
public import JinaHistoryCore

/// Renders a report as one self-contained HTML page (`report --format html`): no scripts, no fetches, inline
/// CSS and SVG. Per target: a timeline (the strip's buckets, with outages, recorder gaps and maintenance drawn
/// at their exact times), a latency chart (p50 and p95 per bucket over the min–max spread, SmokePing-style),
/// and the outage, gap and maintenance tables. Every string from a server or a user is escaped.
public enum HTMLReportRenderer {
    private static let chartWidth = 960.0

    /// What a page made around a report adds (`serve`'s target page): markup this package wrote, before and after
    /// the report, and a link for each outage of the outage table (by its position, from 1).
    struct Surroundings {
        var title = "jina-history report"
        var top = ""
        var bottom = ""
        var outageLink: ((Int) -> String)?
    }

    /// The page.
    public static func render(_ report: HistoryReport) -> String { render(report, around: Surroundings()) }

    static func render(_ report: HistoryReport, around surroundings: Surroundings) -> String {
        let window = report.window
        let time = { (ms: Int64) in TimeText.rfc3339(ms, zone: window.zone) }
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escaped(surroundings.title)) \(escaped(time(window.sinceMs))) .. \(escaped(time(window.untilMs)))</title>
            <style>\(style)</style></head><body>
            \(surroundings.top)<h1>\(escaped(surroundings.title))</h1>
            <p>Window <b>\(escaped(time(window.sinceMs)))</b> .. <b>\(escaped(time(window.untilMs)))</b> \
            (times in \(escaped(window.zoneName))); made \(escaped(time(report.generatedAtMs))).</p>

            """
        html += summary(report.targets)
        for (index, target) in report.targets.enumerated() {
            html += section(target, index: index, window: window, time: time, outageLink: surroundings.outageLink)
        }
        html += surroundings.bottom
        if report.targets.isEmpty { html += "<p>No targets recorded in this database.</p>\n" }
        if !report.storageFaults.isEmpty {
            html += "<h2>Storage faults</h2>\n<p>Probing went on; rounds waited in memory.</p>\n"
            html += table(["from", "to", "duration", "failed writes", "rounds dropped", "error"],
                          report.storageFaults.map { fault in
                              [time(fault.fromMs), time(fault.toMs), ReportNumberText.seconds(fault.durationMs),
                               "\(fault.failedWrites)", "\(fault.roundsDropped)", fault.message]
                          })
        }
        let method = report.method
        html += """
            <footer><p>Availability is \(escaped(method.availability)): up / (up + down) seconds; a verdict holds for \
            \(escaped(method.stalenessCap)); a crashed recorder's tail is \(escaped(method.crashedRunTail)); latency \
            percentiles are \(escaped(method.percentiles)). Made by jina-history from its history database.</p></footer>
            </body></html>

            """
        return html
    }

    private static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222;padding:0 1em}\
        table{border-collapse:collapse;margin:.5em 0 1.5em;display:block;overflow-x:auto;max-width:100%}td,th{border:1px solid #ccc;padding:.25em .5em;\
        text-align:left;vertical-align:top}td.n{text-align:right}h2{margin-top:2em}svg{display:block;width:100%;\
        height:auto}.legend span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em;\
        vertical-align:middle}.muted{color:#666}
        """

    /// Each strip state's colour, on reports and the status page alike.
    static let colours: [TargetReport.BucketState: String] = [
        .up: "#2da44e", .down: "#cf222e", .unknown: "#d0d7de", .maintenance: "#0969da", .partial: "#bf8700",
    ]

    private static func summary(_ targets: [TargetReport]) -> String {
        guard !targets.isEmpty else { return "" }
        return table(
            ["target", "availability", "coverage", "up", "down", "unknown", "maintenance", "outages", "p50 ms",
             "p95 ms"], links: targets.indices.map { "#target-\($0)" },
            targets.enumerated().map { index, target in
                let latency = target.successLatency
                return [target.name, ReportNumberText.availability(target) ?? "no data",
                        ReportNumberText.coverage(target) ?? "n/a", ReportNumberText.seconds(target.upMs),
                        ReportNumberText.seconds(target.downMs), ReportNumberText.seconds(target.unknownMs),
                        ReportNumberText.seconds(target.maintenanceMs), "\(target.outages.count)",
                        latency.p50.map(ReportNumberText.ms) ?? "-", latency.p95.map(ReportNumberText.ms) ?? "-"]
            })
    }

    /// Where several vantages recorded the target (docs/semantics.md §9): each one's account beside the combined
    /// view, the combined outages' vantages and the partial outages.
    private static func vantages(_ target: TargetReport, time: (Int64) -> String) -> String {
        var html = "<h3>Vantages</h3>\n<p>Partial \(ReportNumberText.seconds(target.partialMs)) (vantages disagreed); "
            + "availability from everywhere \(ReportNumberText.availabilityEverywhere(target) ?? "no data").</p>\n"
        html += table(
            ["vantage", "availability", "up", "down", "unknown", "outages", "vantage-wide outages"],
            target.vantages.map { account in
                [account.vantage ?? "", ReportNumberText.availability(account) ?? "no data",
                 ReportNumberText.seconds(account.upMs), ReportNumberText.seconds(account.downMs),
                 ReportNumberText.seconds(account.unknownMs), "\(account.outages.count)",
                 "\(account.outages.filter(\.vantageWide).count)"]
            })
        if !target.outages.isEmpty {
            html += "<p>Outages seen from: " + target.outages.map { outage in
                escaped("\(time(outage.startedMs)): \(outage.vantages.joined(separator: ", "))")
            }.joined(separator: "; ") + "</p>\n"
        }
        html += "<h3>Partial outages</h3>\n"
        html += target.partialOutages.isEmpty ? "<p>None.</p>\n" : table(
            ["started", "ended", "duration", "down from", "up from", "vantage-wide"],
            target.partialOutages.map { partial in
                [time(partial.startedMs), time(partial.endedMs), ReportNumberText.seconds(partial.durationMs),
                 partial.failing.joined(separator: ", "), partial.reachable.joined(separator: ", "),
                 partial.vantageWide.joined(separator: ", ")]
            })
        return html
    }

    private static func section(_ target: TargetReport, index: Int, window: ReportWindow,
                                time: (Int64) -> String, outageLink: ((Int) -> String)?) -> String {
        var html = "<section id=\"target-\(index)\">\n<h2>\(escaped(target.name))</h2>\n"
        html += "<p class=\"muted\">\(escaped(target.kind.rawValue)) at \(escaped(target.url))"
        if let policy = target.policy {
            html += "; every \(ReportNumberText.seconds(policy.intervalMs)), timeout "
                + "\(ReportNumberText.seconds(policy.timeoutMs)), \(policy.attempts) attempt(s)"
        }
        html += "</p>\n<h3>Timeline</h3>\n" + timeline(target, window: window)
        let states: [TargetReport.BucketState] = [.up, .down, .unknown, .maintenance]
            + (target.vantages.isEmpty ? [] : [.partial])
        html += "<p class=\"legend muted\">" + states.map {
            "<span style=\"background:\(colours[$0]!)\"></span>\($0.rawValue)"
        }.joined() + " &nbsp; (\(target.strip.count) buckets; below them, in lanes of their own, outages, "
            + "recorder gaps and maintenance at their exact times)</p>\n"
        html += "<h3>Latency of successful attempts</h3>\n" + latencyChart(target, window: window)
        html += "<h3>Outages</h3>\n"
        html += target.outages.isEmpty ? "<p>None.</p>\n" : table(
            ["started", "ended", "duration", "failed rounds", "layer", "error", "flaps"],
            links: outageLink.map { link in target.outages.indices.map { link($0 + 1) } },
            target.outages.map { outage in
                [time(outage.startedMs), outage.endedMs.map(time) ?? "ongoing",
                 ReportNumberText.seconds(outage.durationMs), "\(outage.failedRounds)",
                 outage.layer?.rawValue ?? "",
                 outage.firstFailure.map { [$0.errorClass.rawValue, $0.exception, $0.message].filter { !$0.isEmpty }
                     .joined(separator: ": ") } ?? "",
                 "\(outage.flaps)"]
            })
        if !target.vantages.isEmpty { html += vantages(target, time: time) }
        html += "<h3>Recorder offline</h3>\n"
        html += target.gaps.isEmpty ? "<p>Never.</p>\n" : table(
            ["from", "to", "duration", "cause"],
            target.gaps.map { gap in
                [time(gap.startedMs), time(gap.endedMs), ReportNumberText.seconds(gap.durationMs), gap.cause.rawValue]
            })
        let maintenance = target.maintenance + target.deletedMaintenance
        if !maintenance.isEmpty {
            html += "<h3>Maintenance</h3>\n" + table(
                ["id", "from", "to", "scope", "note", "deleted"],
                maintenance.map { window in
                    ["\(window.id)", time(window.fromMs), time(window.toMs),
                     window.targetId == nil ? "all targets" : "this target", window.note,
                     window.deletedMs.map { time($0) + " (not counted)" } ?? ""]
                })
        }
        return html + "</section>\n"
    }

    /// The strip as coloured buckets, then outages, gaps and maintenance as exact overlays.
    private static func timeline(_ target: TargetReport, window: ReportWindow) -> String {
        let bucketWidth = chartWidth / Double(max(1, target.strip.count))
        func x(_ ms: Int64) -> Double {
            Double(min(max(ms, window.sinceMs), window.untilMs) - window.sinceMs) / Double(max(1, window.lengthMs))
                * chartWidth
        }
        // The strip, then one lane each for outages, recorder gaps and maintenance: overlapping ones never hide
        // each other.
        var svg = "<svg viewBox=\"0 0 \(chartWidth) 70\" role=\"img\" aria-label=\"timeline of "
            + "\(escaped(target.name))\">\n"
        let zone = { (ms: Int64) in TimeText.rfc3339(ms, zone: window.zone) }
        let bucketMs = window.stripBucketMs
        for (bucket, state) in target.strip.enumerated() {
            let from = window.sinceMs + Int64(bucket) * bucketMs
            let to = bucket == target.strip.count - 1 ? window.untilMs : from + bucketMs
            svg += "<rect x=\(number(Double(bucket) * bucketWidth)) y=0 width=\(number(bucketWidth + 0.5)) height=20 "
                + "fill=\"\(colours[state]!)\"><title>\(escaped(zone(from))) .. \(escaped(zone(to))): \(state.rawValue)"
                + "</title></rect>"
        }
        svg += "\n"
        func overlay(lane: Int, _ from: Int64, _ to: Int64, _ colour: String, _ title: String) {
            let left = x(from)
            svg += "<rect x=\(number(left)) y=\(22 + 10 * lane) width=\(number(max(1, x(to) - left))) height=8 "
                + "fill=\"\(colour)\"><title>\(escaped(title))</title></rect>"
        }
        for outage in target.outages {
            overlay(lane: 0, outage.startedMs, outage.endedMs ?? outage.lastEvidenceMs, colours[.down]!,
                    "outage \(ReportNumberText.seconds(outage.durationMs)): \(zone(outage.startedMs)) .. "
                        + (outage.endedMs.map(zone) ?? "ongoing"))
        }
        for gap in target.gaps {
            overlay(lane: 1, gap.startedMs, gap.endedMs, "#6e7781",
                    "recorder offline (\(gap.cause.rawValue)): \(zone(gap.startedMs)) .. \(zone(gap.endedMs))")
        }
        for window in target.maintenance {
            overlay(lane: 2, window.fromMs, window.toMs, colours[.maintenance]!, "maintenance")
        }
        return svg + "\n" + timeAxis(window, top: 0, bottom: 52) + "</svg>\n"
    }

    /// Per bucket: the min–max spread as a pale bar, p95 and p50 as marks, each with its exact values on hover; ms
    /// gridlines with their values, outages and recorder gaps as bands behind, a time axis below. The scale tops at
    /// the largest p95.
    private static func latencyChart(_ target: TargetReport, window: ReportWindow) -> String {
        let buckets = target.latencyStrip
        guard let top = buckets.compactMap(\.p95).max(), top > 0 else {
            return "<p>No successful attempt in this window.</p>\n"
        }
        let height = 120.0
        let scale = top * 1.2
        let bucketWidth = chartWidth / Double(buckets.count)
        let zone = { (ms: Int64) in TimeText.rfc3339(ms, zone: window.zone) }
        func y(_ ms: Double) -> Double { height - min(ms, scale) / scale * height }
        func x(_ ms: Int64) -> Double {
            Double(min(max(ms, window.sinceMs), window.untilMs) - window.sinceMs) / Double(max(1, window.lengthMs)) * chartWidth
        }
        var svg = "<svg viewBox=\"0 0 \(chartWidth) \(height + 32)\" role=\"img\" aria-label=\"latency of "
            + "\(escaped(target.name))\">\n"
        for outage in target.outages {
            let left = x(outage.startedMs)
            svg += "<rect x=\(number(left)) y=0 width=\(number(max(1, x(outage.endedMs ?? outage.lastEvidenceMs) - left))) "
                + "height=\(number(height)) fill=\"#cf222e\" fill-opacity=\"0.15\"><title>outage "
                + "\(ReportNumberText.seconds(outage.durationMs)): \(escaped(zone(outage.startedMs))) .. "
                + "\(escaped(outage.endedMs.map(zone) ?? "ongoing"))</title></rect>"
        }
        for gap in target.gaps {
            let left = x(gap.startedMs)
            svg += "<rect x=\(number(left)) y=0 width=\(number(max(1, x(gap.endedMs) - left))) height=\(number(height)) "
                + "fill=\"#6e7781\" fill-opacity=\"0.15\"><title>recorder offline (\(gap.cause.rawValue)): "
                + "\(escaped(zone(gap.startedMs))) .. \(escaped(zone(gap.endedMs)))</title></rect>"
        }
        for value in ChartAxis.valueTicks(top: scale) {
            svg += "<line x1=0 x2=\(number(chartWidth)) y1=\(number(y(value))) y2=\(number(y(value))) stroke=\"#d0d7de\" "
                + "stroke-width=\"0.5\"/><text x=2 y=\(number(y(value) - 2)) font-size=10 fill=\"#666\">"
                + "\(ChartAxis.milliseconds(value))</text>"
        }
        svg += "\n"
        let bucketMs = window.stripBucketMs
        for (bucket, summary) in buckets.enumerated() {
            guard let low = summary.min, let high = summary.max, let p50 = summary.p50, let p95 = summary.p95 else {
                continue
            }
            let left = Double(bucket) * bucketWidth
            let width = max(1, bucketWidth - 2)
            let span = "\(zone(window.sinceMs + Int64(bucket) * bucketMs))"
            svg += "<rect x=\(number(left + 1)) y=\(number(y(high))) width=\(number(width)) "
                + "height=\(number(max(1, y(low) - y(high)))) fill=\"#d0d7de\"><title>\(escaped(span)): min "
                + "\(ReportNumberText.ms(low)) ms, max \(ReportNumberText.ms(high)) ms</title></rect>"
            svg += "<rect x=\(number(left + 1)) y=\(number(y(p95) - 1)) width=\(number(width)) height=2 "
                + "fill=\"#bf8700\">"
                + "<title>p95 \(ReportNumberText.ms(p95)) ms</title></rect>"
            svg += "<rect x=\(number(left + 1)) y=\(number(y(p50) - 1)) width=\(number(width)) height=2 fill=\"#222\">"
                + "<title>p50 \(ReportNumberText.ms(p50)) ms, \(summary.count) attempts</title></rect>"
        }
        svg += "\n" + timeAxis(window, top: 0, bottom: height)
        return svg + "</svg>\n<p class=\"muted\">black p50, ochre p95, grey min–max per bucket; red bands outages, grey "
            + "bands recorder offline; times in \(escaped(window.zoneName))</p>\n"
    }

    /// Ticks of the window's time under a chart whose plot ends at `bottom`, labelled in the window's zone, with
    /// faint lines up to `top`.
    private static func timeAxis(_ window: ReportWindow, top: Double, bottom: Double) -> String {
        ChartAxis.timeTicks(window).map { tick in
            let x = Double(tick.ms - window.sinceMs) / Double(max(1, window.lengthMs)) * chartWidth
            return "<line x1=\(number(x)) x2=\(number(x)) y1=\(number(top)) y2=\(number(bottom + 4)) stroke=\"#8c959f\" "
                + "stroke-width=\"0.5\"/><text x=\(number(x)) y=\(number(bottom + 14)) font-size=10 fill=\"#666\" "
                + "text-anchor=\"middle\">\(escaped(tick.label))</text>"
        }.joined()
    }

    static func table(_ header: [String], links: [String]? = nil, _ rows: [[String]]) -> String {
        var html = "<table><thead><tr>" + header.map { "<th>\(escaped($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for (index, row) in rows.enumerated() {
            html += "<tr>" + row.enumerated().map { column, cell in
                let text = escaped(cell)
                if column == 0, let link = links?[index] { return "<td><a href=\"\(link)\">\(text)</a></td>" }
                let numeric = cell.range(of: #"^-?[0-9.]+(%|s)?$"#, options: .regularExpression) != nil
                return numeric ? "<td class=n>\(text)</td>" : "<td>\(text)</td>"
            }.joined() + "</tr>\n"
        }
        return html + "</tbody></table>\n"
    }

    private static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Text for HTML: one line, markup characters escaped, so server text never becomes markup.
    static func escaped(_ text: String) -> String { text.markupEscaped(limit: 2_000) }
}

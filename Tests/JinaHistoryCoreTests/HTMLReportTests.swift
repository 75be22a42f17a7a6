import Foundation
@testable import JinaHistoryConfig
@testable import JinaHistoryCore
@testable import JinaHistoryRender
import JinaHistoryTestSupport
import Testing

/// The HTML report and the SVG badge: the report's numbers, drawings at the right places, and server text
/// that never becomes markup.
@Suite("HTML report and badge")
struct HTMLReportTests {
    private func flakyHistory() -> HandMadeHistory {
        var history = HandMadeHistory()
        history.name = "search<flow>"
        history.run(1, from: 0, heartbeat: 60_000, stopped: 60_000)
        history.rounds(1, .up, at: slots(0, 30_000), durationMs: 12)
        history.rounds(1, .down, at: slots(30_000, 45_000), message: "<script>alert(1)</script> & \"x\"\u{1B}[31m")
        history.rounds(1, .up, at: slots(45_000, 60_000), durationMs: 20)
        return history
    }

    @Test("charts people can read: time ticks in the window's zone, ms gridlines, outages as bands, exact values on hover")
    func readableCharts() throws {
        // 10:07Z .. 11:07Z is 11:07 .. 12:07 in Berlin: ticks every 15 minutes, at local quarter hours.
        let berlin = try TimeText.zone(named: "Europe/Berlin")
        let start: Int64 = 1_795_601_220_000  // 2026-11-25T10:07:00Z
        let window = try ReportWindow(sinceMs: start, untilMs: start + 3_600_000, nowMs: start + 3_600_000, zone: berlin)
        #expect(ChartAxis.timeTicks(window).map(\.label) == ["11:15", "11:30", "11:45", "12:00"])
        #expect(ChartAxis.timeTicks(window).first?.ms == start + 8 * 60_000)
        let days = try ReportWindow(sinceMs: start, untilMs: start + 7 * 86_400_000, nowMs: start + 7 * 86_400_000, zone: berlin)
        #expect(ChartAxis.timeTicks(days).map(\.label) == ["11-26", "11-27", "11-28", "11-29", "11-30", "12-01", "12-02"])
        #expect(ChartAxis.valueTicks(top: 120) == [50, 100] && ChartAxis.valueTicks(top: 24) == [5, 10, 15, 20])

        var history = flakyHistory()
        history.name = "search"
        let html = HTMLReportRenderer.render(try history.historyReport(since: 0, until: 60_000))
        #expect(html.contains(">00:00:15</text>") && html.contains(">00:00:45</text>"), "time ticks under the charts")
        #expect(html.contains(">10 ms</text>") && html.contains(">20 ms</text>"), "ms gridlines")
        #expect(html.contains("fill=\"#cf222e\" fill-opacity=\"0.15\"><title>outage 15.000s: 1970-01-01T00:00:30.000Z .. 1970-01-01T00:00:45.000Z"),
                "the outage as a band on the latency chart")
        #expect(html.contains("<title>1970-01-01T00:00:30.000Z .. 1970-01-01T00:00:31.000Z: down</title>"), "each bucket's time and state")
        #expect(html.contains(": min 12.000 ms, max 12.000 ms</title>"))
        // In HTML an unquoted value takes the slash of `/>`: the element stays open and swallows the rest of the chart.
        #expect(html.range(of: #"=[^"\s>]+/>"#, options: .regularExpression) == nil, "an unquoted value before />")
    }

    @Test("one self-contained page: numbers, timeline, latency chart, outage table; no script, no fetch")
    func page() throws {
        let report = try flakyHistory().historyReport(since: 0, until: 60_000)
        let html = HTMLReportRenderer.render(report)
        #expect(html.hasPrefix("<!doctype html>") && html.hasSuffix("</html>\n"))
        for forbidden in ["<script", "src=", "href=\"http", "@import", "url(http"] {
            #expect(!html.contains(forbidden), "the page must not run or fetch anything: \(forbidden)")
        }
        #expect(html.contains("search&lt;flow&gt;") && !html.contains("search<flow>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"))
        #expect(!html.contains("\u{1B}"))
        let target = try #require(report.targets.first)
        #expect(html.contains(try #require(ReportNumberText.availability(target))))  // 75.000%
        // 60 buckets in the timeline, and the outage drawn from 30 s to 45 s of the 60 s window (x 480 .. 720).
        #expect(html.components(separatedBy: "height=20 fill=").count - 1 == TargetReport.stripBuckets)
        #expect(html.contains("<rect x=480.0 y=22 width=240.0 height=8 fill=\"#cf222e\"><title>outage 15.000s"))
        // Latency marks only where attempts succeeded (45 of 60 buckets), with their p50.
        #expect(html.components(separatedBy: "<title>p50 ").count - 1 == 45)
        #expect(html.contains("<title>p50 12.000 ms") && html.contains("<title>p50 20.000 ms"))
    }

    @Test("badge: availability rounded down, shields colours, no data in grey, escaped name")
    func badge() throws {
        let target = try flakyHistory().report(since: 0, until: 60_000)
        let svg = SVGBadgeRenderer.render(target)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.contains(">75%</text>"))
        #expect(svg.contains("fill=\"#e05d44\"") && svg.contains("search&lt;flow&gt;"))
        #expect(SVGBadgeRenderer.shortPercent(ReportNumberText.percent(999_996, of: 1_000_000)) == "99.999%")
        #expect(SVGBadgeRenderer.shortPercent(ReportNumberText.percent(9_995, of: 10_000)) == "99.95%")
        #expect(SVGBadgeRenderer.shortPercent(ReportNumberText.percent(7, of: 7)) == "100%")
        #expect(SVGBadgeRenderer.shortPercent(ReportNumberText.percent(0, of: 7)) == "0%")
        #expect(SVGBadgeRenderer.colour(for: 0.9995) == "#4c1" && SVGBadgeRenderer.colour(for: 0.96) == "#dfb317")
        var empty = HandMadeHistory()
        empty.run(1, from: 0, heartbeat: 1, stopped: 1)
        let noData = SVGBadgeRenderer.render(try empty.report(since: 10_000, until: 20_000))
        #expect(noData.contains(">no data</text>") && noData.contains("#9f9f9f"))
    }
}

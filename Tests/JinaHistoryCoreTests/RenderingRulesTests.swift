import Foundation
@testable import JinaHistoryConfig
@testable import JinaHistoryCore
@testable import JinaHistoryRender
import JinaHistoryTestSupport
import Testing

/// Rules every format shares (docs/semantics.md §4–§5): one rounding of percentages, outages never hidden, the
/// outage order, maintenance at its real extent and never over an outage.
@Suite("rendering rules")
struct RenderingRulesTests {
    /// A target up `upMs` and down the rest of a `totalMs` window (one run, rounds every second).
    private func target(upMs: Int64, totalMs: Int64) throws -> HistoryReport {
        var history = HandMadeHistory()
        history.policy = try ProbePolicy(intervalMs: 1_000_000, timeoutMs: 500)
        history.run(1, from: 0, heartbeat: totalMs, stopped: totalMs)
        history.rounds(1, .up, at: [0])
        history.rounds(1, .down, at: [upMs])
        return try history.historyReport(since: 0, until: totalMs)
    }

    @Test("one rounding rule, down: 46 % reads 46.000 % and 45.9996 % reads 45.999 % in every format")
    func percentagesRoundDown() throws {
        for (upMs, totalMs, printed, badge) in [
            (Int64(46), Int64(100), "46.000%", "46%"), (459_996, 1_000_000, "45.999%", "45.999%"),
            (999_999, 1_000_000, "99.999%", "99.999%"), (29, 100, "29.000%", "29%"),
        ] {
            let report = try target(upMs: upMs, totalMs: totalMs)
            let only = try #require(report.targets.first)
            #expect(TextReportRenderer.render(report).contains("availability \(printed)  up"), "\(printed)")
            #expect(MarkdownReportRenderer.render(report).contains("| \(printed) |"), "\(printed)")
            #expect(HTMLReportRenderer.render(report).contains("<td class=n>\(printed)</td>"), "\(printed)")
            #expect(SVGBadgeRenderer.render(only).contains(">\(badge)</text>"), "\(badge)")
        }
        // --fail-under compares exactly: 29 % up is not below 29, as 0.29 × 100 in binary floating point is.
        #expect(try target(upMs: 29, totalMs: 100).targets(below: 29).isEmpty)
        #expect(try target(upMs: 459_996, totalMs: 1_000_000).targets(below: 46).count == 1)
        #expect(ReportNumberText.percent(459_996, of: 1_000_000, decimals: 4) == "45.9996%")
    }

    @Test("outages are listed when maintenance covers the whole window, in the text report too")
    func outagesUnderMaintenance() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 10_000, stopped: 10_000)
        history.rounds(1, .up, at: slots(0, 3_000) + slots(6_000, 10_000))
        history.rounds(1, .down, at: slots(3_000, 6_000))
        history.maintenance = [MaintenanceWindow(id: 7, targetId: nil, fromMs: -5_000, toMs: 20_000, note: "upgrade")]
        let report = try history.historyReport(since: 0, until: 10_000)
        #expect(report.targets.first?.availability == nil)
        let text = TextReportRenderer.render(report)
        #expect(text.contains("  no data: no verdict covers this window outside maintenance"))
        #expect(text.contains("  outages: 1\n    1970-01-01T00:00:03.000Z .. 1970-01-01T00:00:06.000Z  3.000s"), "\(text)")
        // Maintenance is listed with its real start and end, as outages are.
        #expect(text.contains("    1969-12-31T23:59:55.000Z .. 1970-01-01T00:00:20.000Z\n      #7 all targets  upgrade"),
                "\(text)")
    }

    @Test("Markdown lists every target's outages in one table, in --sort order across targets")
    func markdownSortsAcrossTargets() throws {
        func outage(_ startedMs: Int64, _ durationMs: Int64) -> Outage {
            Outage(startedMs: startedMs, confirmedMs: startedMs, endedMs: startedMs + durationMs,
                   lastEvidenceMs: startedMs + durationMs, failedRounds: 1)
        }
        var first = TargetReport(name: "alpha", kind: .flow, url: "grpc://127.0.0.1:1")
        first.outages = [outage(1_000, 500), outage(9_000, 4_000)]
        var second = TargetReport(name: "beta", kind: .flow, url: "grpc://127.0.0.1:2")
        second.outages = [outage(5_000, 2_000), outage(12_000, 100)]
        let report = HistoryReport(generatedAtMs: 20_000, window: try ReportWindow(sinceMs: 0, untilMs: 20_000, nowMs: 20_000),
                                   method: ReportMethod(), targets: [first, second])
        func rows(_ order: HistoryReport.OutageOrder) -> [String] {
            MarkdownReportRenderer.render(report.sortingOutages(by: order)).split(separator: "\n")
                .filter { $0.hasPrefix("| alpha | 1970") || $0.hasPrefix("| beta | 1970") }
                .map { $0.split(separator: "|").prefix(2).joined(separator: "|").trimmingCharacters(in: .whitespaces) }
        }
        #expect(rows(.time) == ["alpha | 1970-01-01T00:00:01.000Z", "beta | 1970-01-01T00:00:05.000Z",
                                "alpha | 1970-01-01T00:00:09.000Z", "beta | 1970-01-01T00:00:12.000Z"])
        #expect(rows(.duration) == ["alpha | 1970-01-01T00:00:09.000Z", "beta | 1970-01-01T00:00:05.000Z",
                                    "alpha | 1970-01-01T00:00:01.000Z", "beta | 1970-01-01T00:00:12.000Z"])
    }

    @Test("HTML: outages, recorder gaps and maintenance in lanes of their own, so maintenance never hides an outage")
    func htmlLanes() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 50_000, stopped: 50_000)
        history.rounds(1, .up, at: slots(0, 20_000) + slots(30_000, 50_000))
        history.rounds(1, .down, at: slots(20_000, 30_000))
        history.maintenance = [MaintenanceWindow(id: 1, targetId: nil, fromMs: 15_000, toMs: 35_000, note: "")]
        let html = HTMLReportRenderer.render(try history.historyReport(since: 0, until: 60_000))
        // x = ms / 60 000 × 960: the outage 20–30 s at 320..480 on lane 0, maintenance 15–35 s at 240..560 on lane 2,
        // the recorder's absence 50–60 s at 800..960 on lane 1.
        #expect(html.contains("<rect x=320.0 y=22 width=160.0 height=8 fill=\"#cf222e\"><title>outage 10.000s"), "\(html)")
        #expect(html.contains("<rect x=240.0 y=42 width=320.0 height=8 fill=\"#0969da\"><title>maintenance"))
        #expect(html.contains("<rect x=800.0 y=32 width=160.0 height=8 fill=\"#6e7781\">"))
    }
}

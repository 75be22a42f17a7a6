import Foundation
@testable import JinaHistoryConfig
@testable import JinaHistoryCore
@testable import JinaHistoryRender
import JinaHistoryTestSupport
import Testing

/// The Markdown report: tables with the report's numbers, and server text that can break neither.
@Suite("markdown report")
struct MarkdownReportTests {
    @Test("an incident's timeline: a 60-round outage in at most 10 lines, in a fence server text cannot close")
    func incidents() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 70_000, stopped: 70_000)
        history.rounds(1, .up, at: slots(0, 5_000))
        history.rounds(1, .down, at: slots(5_000, 65_000), message: "```\n## not a heading")
        history.rounds(1, .up, at: slots(65_000, 70_000))
        let report = try history.historyReport(since: 0, until: 70_000)
        let outage = try #require(report.targets.first?.outages.first)
        let window = try ReportWindow(sinceMs: outage.startedMs, untilMs: 70_000, nowMs: 70_000)
        var builder = TimelineBuilder(window: window)
        builder.add(Transition(from: .up, to: .down, atMs: 5_010, roundScheduledMs: 5_000, streakStartedMs: 5_000,
                               failure: history.rounds[5].round.firstFailure), target: "t")
        builder.add(Transition(from: .down, to: .up, atMs: 65_010, roundScheduledMs: 65_000, streakStartedMs: 65_000), target: "t")
        for stored in history.rounds { builder.add(stored.round, target: "t", run: stored.runId) }
        let incident = Incident(target: "t", outage: outage, timeline: builder.finish(), window: window)

        let markdown = MarkdownReportRenderer.render(report, incidents: [incident])
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let heading = try #require(lines.firstIndex(of: "#### t: 1970-01-01T00:00:05.000Z to 1970-01-01T00:01:05.000Z (1m)"))
        #expect(lines[heading + 2] == "````text", "a fence longer than the server's backticks")
        let body = lines[(heading + 3)...].prefix { $0 != "````" }
        let outageLines = body.prefix { !$0.contains("healthy round") }
        #expect(outageLines.count <= 10, "\(outageLines.joined(separator: "\n"))")
        #expect(body.contains { $0.contains("58 more rounds like this until 1970-01-01T00:01:03.000Z") })
        #expect(!lines.contains("## not a heading"))
    }

    @Test("summary and outage tables carry the report's numbers; hostile server text stays inside its cell")
    func tables() throws {
        var history = HandMadeHistory()
        history.name = "search|flow"
        history.run(1, from: 0, heartbeat: 10_000, stopped: 10_000)
        history.rounds(1, .up, at: [0, 1_000, 2_000] + slots(5_000, 10_000))
        history.rounds(1, .down, at: [3_000, 4_000], message: "a | b\n<script>alert(1)</script>")
        let markdown = MarkdownReportRenderer.render(try history.historyReport(since: 0, until: 10_000))
        let lines = markdown.split(separator: "\n").map(String.init)
        let summary = try #require(lines.first { $0.hasPrefix("| search\\|flow | flow |") })
        #expect(summary.contains("| 80.000% | 100.000% | 8.000s | 2.000s | 0.000s | 0.000s | 1 |"), "\(summary)")
        let outage = try #require(lines.first { $0.contains("not_ready") })
        #expect(outage.contains("a \\| b &lt;script&gt;alert(1)&lt;/script&gt;"), "\(outage)")
        #expect(!markdown.contains("<script>"))
        // Every table row has as many cells as its header.
        for table in [lines.firstIndex { $0.hasPrefix("| target | kind") }, lines.firstIndex { $0.hasPrefix("| target | started") }] {
            let start = try #require(table)
            let columns = lines[start].components(separatedBy: " | ").count
            for row in lines[(start + 2)...].prefix(while: { $0.hasPrefix("|") }) {
                #expect(row.replacingOccurrences(of: "\\|", with: "").components(separatedBy: " | ").count == columns, "\(row)")
            }
        }
    }
}

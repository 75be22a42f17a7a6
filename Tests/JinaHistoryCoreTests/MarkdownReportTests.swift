import Foundation
@testable import JinaHistoryConfig
@testable import JinaHistoryCore
@testable import JinaHistoryRender
import JinaHistoryTestSupport
import Testing

/// The Markdown report: tables with the report's numbers, and server text that can break neither.
@Suite("markdown report")
struct MarkdownReportTests {
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

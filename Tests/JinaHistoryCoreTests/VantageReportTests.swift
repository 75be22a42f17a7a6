@testable import JinaHistoryCore
@testable import JinaHistoryRender
import JinaHistoryTestSupport
import Testing

/// The combined view of docs/semantics.md §9 on hand-made histories of two vantages, `a` and `b`.
@Suite("vantages")
struct VantageReportTests {
    /// `a` sees the target down from 40 s to 60 s, `b` from 20 s to 60 s; both up otherwise, 100 s in all.
    private func twoVantages(failure: ErrorClass = .notReady) -> HandMadeHistory {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 100_000, stopped: 100_000, vantage: "a")
        history.run(2, from: 0, heartbeat: 100_000, stopped: 100_000, vantage: "b")
        history.rounds(1, .up, at: slots(0, 40_000) + slots(60_000, 100_000))
        history.rounds(1, .down, at: slots(40_000, 60_000), failure: failure)
        history.rounds(2, .up, at: slots(0, 20_000) + slots(60_000, 100_000))
        history.rounds(2, .down, at: slots(20_000, 60_000), failure: failure)
        return history
    }

    @Test("down when every vantage says down, partial when they disagree; both availabilities")
    func combinedTime() throws {
        let report = try twoVantages().report(since: 0, until: 100_000)
        #expect(report.upMs == 60_000)
        #expect(report.partialMs == 20_000)
        #expect(report.downMs == 20_000)
        #expect(report.unknownMs == 0)
        #expect(report.availability == 0.8)
        #expect(report.availabilityEverywhere == 0.6)
        #expect(report.rounds.total == 200)
        #expect(report.rounds.down == 60)
        #expect(report.vantages.map(\.vantage) == ["a", "b"])
        #expect(report.vantages.map(\.downMs) == [20_000, 40_000])
        #expect(report.vantages.map(\.availability) == [0.8, 0.6])
        #expect(report.strip.contains(.partial))
    }

    @Test("a combined outage names the vantages that saw it; a partial one says who failed and who did not")
    func outages() throws {
        let report = try twoVantages().report(since: 0, until: 100_000)
        try #require(report.outages.count == 1)
        #expect(report.outages[0].startedMs == 40_000)
        #expect(report.outages[0].endedMs == 60_000)
        #expect(report.outages[0].vantages == ["a", "b"])
        #expect(report.outages[0].failedRounds == 60)
        #expect(report.partialOutages == [
            PartialOutage(startedMs: 20_000, endedMs: 40_000, failing: ["b"], reachable: ["a"]),
        ])
        #expect(report.vantages[1].outages.map(\.startedMs) == [20_000])
    }

    @Test("vantages probing 300 ms apart: the slivers at a combined outage's edges count as partial time, not outages")
    func edgesOfOneOutage() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 100_000, stopped: 100_000, vantage: "a")
        history.run(2, from: 0, heartbeat: 100_000, stopped: 100_000, vantage: "b")
        history.rounds(1, .up, at: slots(0, 40_000) + slots(60_000, 100_000))
        history.rounds(1, .down, at: slots(40_000, 60_000))
        history.rounds(2, .up, at: slots(300, 40_300) + slots(60_300, 100_000))
        history.rounds(2, .down, at: slots(40_300, 60_300))
        let report = try history.report(since: 0, until: 100_000)
        #expect(report.partialMs == 600)
        #expect(report.partialOutages.isEmpty)
        #expect(report.outages.map(\.startedMs) == [40_300])
        #expect(report.outages.map(\.endedMs) == [60_000])
    }

    @Test("an outage still open at the window's end stays ongoing in the combined view")
    func ongoing() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 10_000, stopped: nil, vantage: "a")
        history.run(2, from: 0, heartbeat: 10_000, stopped: nil, vantage: "b")
        history.rounds(1, .up, at: slots(0, 5_000))
        history.rounds(1, .down, at: slots(5_000, 10_000))
        history.rounds(2, .down, at: slots(0, 10_000))
        let report = try history.report(since: 0, until: 10_000, now: 10_000)
        try #require(report.outages.count == 1)
        #expect(report.outages[0].startedMs == 5_000)
        #expect(report.outages[0].endedMs == nil)
        #expect(report.partialOutages.map(\.startedMs) == [0])
    }

    @Test("a vantage whose every target fails with a network class at once is flagged vantage-wide; not else")
    func vantageWide() throws {
        var history = twoVantages(failure: .refused)
        history.otherTargets = ["u"]
        history.rounds(1, .up, at: slots(0, 100_000), target: 2)
        history.rounds(2, .up, at: slots(0, 20_000) + slots(60_000, 100_000), target: 2)
        history.rounds(2, .down, at: slots(20_000, 60_000), failure: .refused, target: 2)
        let report = try history.report(since: 0, until: 100_000)
        #expect(report.vantages.map { $0.outages.map(\.vantageWide) } == [[false], [true]])
        #expect(report.partialOutages.map(\.vantageWide) == [["b"]])

        var notNetwork = twoVantages()
        notNetwork.otherTargets = ["u"]
        notNetwork.rounds(1, .up, at: slots(0, 100_000), target: 2)
        notNetwork.rounds(2, .up, at: slots(0, 20_000) + slots(60_000, 100_000), target: 2)
        notNetwork.rounds(2, .down, at: slots(20_000, 60_000), target: 2)
        let judged = try notNetwork.report(since: 0, until: 100_000)
        #expect(judged.vantages.map { $0.outages.map(\.vantageWide) } == [[false], [false]])
    }

    @Test("one vantage: no vantage fields, and the JSON and text are what they were")
    func singleVantage() throws {
        var history = HandMadeHistory()
        history.run(1, from: 0, heartbeat: 100_000, stopped: 100_000, vantage: "a")
        history.rounds(1, .up, at: slots(0, 40_000) + slots(60_000, 100_000))
        history.rounds(1, .down, at: slots(40_000, 60_000))
        let report = try history.historyReport(since: 0, until: 100_000)
        #expect(report.targets[0].vantages.isEmpty)
        #expect(report.targets[0].vantage == nil)
        #expect(report.targets[0].outages[0].vantages.isEmpty)
        let json = JSONReportRenderer.render(report)
        for field in ["vantage", "partial"] { #expect(!json.contains(field)) }
        #expect(!TextReportRenderer.render(report).contains("vantage"))
    }

    @Test("every format shows the combined view and each vantage")
    func rendered() throws {
        let report = try twoVantages().historyReport(since: 0, until: 100_000)
        let json = JSONReportRenderer.render(report)
        for field in ["\"partial_s\" : 20", "\"availability_everywhere\" : 0.6", "\"vantage\" : \"b\"",
                      "\"failing\" : [", "\"vantage_wide\" : false"] {
            #expect(json.contains(field), "\(field)")
        }
        let text = TextReportRenderer.render(report)
        #expect(text.contains("everywhere 60.000%"))
        #expect(text.contains("down from b; up from a"))
        #expect(text.contains("seen from a, b"))
        let markdown = MarkdownReportRenderer.render(report)
        #expect(markdown.contains("### Partial outages"))
        #expect(markdown.contains("| t | **combined** | 80.000% | 60.000% |"))
        let html = HTMLReportRenderer.render(report)
        #expect(html.contains("<h3>Partial outages</h3>"))
    }
}

import ArgumentParser
import Foundation
import JinaHistoryKit

/// `jina-history report`: uptime, latency, outages and recorder gaps of a window, as text or JSON.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report availability, coverage, latency, outages and recorder-offline gaps for a window.",
        discussion: "Counting rules: docs/semantics.md. Times print in UTC.")

    /// Output formats.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var database: DatabaseOption

    @Option(help: "Window start: a duration back from now (90s, 15m, 24h, 7d), 'now', or an RFC 3339 time.")
    var since = "24h"

    @Option(help: "Window end, in the same forms as --since.")
    var until = "now"

    @Option(help: "text for people, json for programs.")
    var format = Format.text

    func run() async throws {
        try await reportingErrors {
            let nowMs = RunClock.wallNowMs()
            let window = try ReportWindow(
                sinceMs: try TimeText.epochMilliseconds(since, flag: "--since", nowMs: nowMs),
                untilMs: try TimeText.epochMilliseconds(until, flag: "--until", nowMs: nowMs), nowMs: nowMs)
            let report = try HistoryReader(path: database.path).report(window: window)
            switch format {
            case .text: FileHandle.standardOutput.write(Data(TextReportRenderer.render(report).utf8))
            case .json: FileHandle.standardOutput.write(Data((JSONReportRenderer.render(report) + "\n").utf8))
            }
        }
    }
}

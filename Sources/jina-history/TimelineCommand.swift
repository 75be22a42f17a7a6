import ArgumentParser
import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite

/// `jina-history timeline`: the chronological evidence of a window, for a postmortem.
struct TimelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Show what happened, in order: recorder starts and stops, state changes, failed rounds with their attempts (alike ones collapsed), healthy stretches collapsed.")

    @Option(help: "Only this target.")
    var target: String?

    @Option(help: "Only what the recorders of this vantage saw (docs/semantics.md §9).")
    var vantage: String?

    @Flag(help: "List every failed round with its attempts, instead of the first and last of each stretch that failed alike.")
    var everyRound = false

    @Option(help: "text, or json (reports/timeline.schema.json).")
    var format = "text"

    @OptionGroup var window: WindowOptions

    @OptionGroup var database: DatabaseOption

    func run() async throws {
        try await reportingErrors {
            guard ["text", "json"].contains(format) else { throw UsageError("--format '\(format)': use text or json") }
            let window = try window.window(nowMs: RunClock.wallNowMs())
            let timeline = try database.store().openReader().timeline(window: window, target: target,
                                                                      everyRound: everyRound, vantage: vantage)
            try Console.output(format == "json"
                ? TimelineJSONRenderer.render(timeline, window: window) : TimelineTextRenderer.render(timeline, window: window))
        }
    }
}

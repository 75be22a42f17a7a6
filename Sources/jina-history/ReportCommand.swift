import ArgumentParser
import Foundation
import JinaHistoryKit

/// `jina-history report`: uptime, latency, outages and recorder gaps of a window, as text, JSON or Markdown.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report availability, coverage, latency, outages and recorder-offline gaps for a window.",
        discussion: "Counting rules: docs/semantics.md. Text prints times in --tz (default UTC); JSON always in UTC.")

    /// Output formats.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown, html
        case svgBadge = "svg-badge"
    }

    @OptionGroup var database: DatabaseOption

    @OptionGroup var window: WindowOptions

    @Option(help: """
        text for people, json for programs, markdown for a postmortem document, html for a browser (one \
        self-contained file), svg-badge for a README (one target's availability).
        """)
    var format = Format.text

    @Option(help: "Report only this target (by name).")
    var target: String?

    @Option(help: "Join outages separated by recoveries this short or shorter (e.g. 2m) into one incident with a flap count.")
    var mergeGap: String?

    @Option(help: "List outages by time (default) or by duration, longest first.")
    var sort = OutageOrder.time

    /// Orders of the outage list.
    enum OutageOrder: String, ExpressibleByArgument, CaseIterable {
        case time, duration
    }

    @Flag(help: "Read every raw round instead of rollups: exact percentiles, slower over long windows.")
    var noRollups = false

    @Option(help: "Exit 1 when a target's availability in the window is below PERCENT (or it has no data); for CI and cron.")
    var failUnder: Double?

    func run() async throws {
        let failing = try await reportingErrors {
            let window = try window.window(nowMs: RunClock.wallNowMs())
            if let failUnder, !(0...100).contains(failUnder) {
                throw JinaHistoryError.badInput("--fail-under \(failUnder) must be a percentage from 0 to 100")
            }
            let mergeGapMs = try mergeGap.map { try DurationText.milliseconds($0, flag: "--merge-gap") }
            let reader = try HistoryReader(path: database.path)
            var report = try reader.report(window: window, useRollups: !noRollups, latencyStrip: format == .html)
            if let target {
                try reader.requireTarget(named: target)
                report.targets.removeAll { $0.name != target }
            }
            if let mergeGapMs { report = report.mergingOutages(within: mergeGapMs) }
            if sort == .duration { report = report.sortingOutagesByDuration() }
            switch format {
            case .text:
                // Colour only for a person at a terminal who has not asked for none (no-color.org).
                let environment = ProcessInfo.processInfo.environment
                let noColour = !(environment["NO_COLOR"] ?? "").isEmpty || environment["TERM"] == "dumb"
                let colour = isatty(1) == 1 && !noColour
                try Console.output(TextReportRenderer.render(report, colour: colour))
            case .json: try Console.output(JSONReportRenderer.renderLine(report))
            case .markdown: try Console.output(MarkdownReportRenderer.render(report))
            case .html: try Console.output(HTMLReportRenderer.render(report))
            case .svgBadge:
                guard report.targets.count == 1, let only = report.targets.first else {
                    let names = report.targets.map(\.name).joined(separator: ", ")
                    throw JinaHistoryError.badInput(
                        "a badge shows one target; give --target NAME (recorded: \(names.isEmpty ? "none" : names))")
                }
                try Console.output(SVGBadgeRenderer.render(only))
            }
            return failUnder.map { report.targets(below: $0) } ?? []
        }
        guard let failUnder, !failing.isEmpty else { return }
        let names = failing.map { target in
            "\(target.name) " + (target.availability.map { String(format: "%.3f%%", $0 * 100) } ?? "no data")
        }
        Console.message(
            "jina-history: availability below \(failUnder)%: \(names.joined(separator: ", "))\n")
        throw ExitCode(1)
    }
}

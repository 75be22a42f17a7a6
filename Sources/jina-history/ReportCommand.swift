import ArgumentParser
import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite

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

    @Option(help: "Only what the recorders of this vantage saw (docs/semantics.md §9).")
    var vantage: String?

    @Option(name: .customLong("label"),
            help: "Report only the targets with this label from their configuration (KEY=VALUE; repeat to need several).")
    var labels: [String] = []

    @Option(help: "Join outages separated by recoveries this short or shorter (e.g. 2m) into one incident with a flap count.")
    var mergeGap: String?

    @Option(help: "List outages by time (default) or by duration, longest first (across targets where one table lists them all).")
    var sort = SortOrder.time

    /// `--sort`'s values: the report's outage orders.
    enum SortOrder: String, ExpressibleByArgument, CaseIterable {
        case time, duration
    }

    @Flag(help: "Read every raw round instead of rollups: exact percentiles, slower over long windows.")
    var noRollups = false

    @Option(parsing: .unconditional,
            help: "Exit 1 when a target's availability in the window is below PERCENT (or it has no data); for CI and cron.")
    var failUnder: String?

    func run() async throws {
        let failing = try await reportingErrors {
            let window = try window.window(nowMs: RunClock.wallNowMs())
            let threshold = try failUnder.map(Self.percentage)
            let selector = try Self.labelSelector(labels)
            let mergeGapMs = try mergeGap.map { try DurationText.milliseconds($0, for: .mergeGap) }
            let reader = try database.store().openReader()
            var report = try reader.report(window: window, useRollups: !noRollups, latencyStrip: format == .html,
                                           vantage: vantage)
            if let target {
                try reader.requireTarget(named: target)
                report.targets.removeAll { $0.name != target }
            }
            if !selector.isEmpty {
                let selected = report.keepingTargets(labelled: selector)
                guard !selected.targets.isEmpty else {
                    let known = Set(report.targets.flatMap { $0.labels.map { "\($0.key)=\($0.value)" } }).sorted()
                    throw UsageError(
                        "--label \(labels.joined(separator: " --label ")): no target carries "
                            + "\(labels.count == 1 ? "it" : "them all"); labels recorded: "
                            + (known.isEmpty ? "none (labels come from record --config)" : known.joined(separator: ", ")))
                }
                report = selected
            }
            if let mergeGapMs { report = report.mergingOutages(within: mergeGapMs) }
            report = report.sortingOutages(by: sort == .time ? .time : .duration)
            switch format {
            case .text:
                // Colour only for a person at a terminal who has not asked for none (no-color.org).
                let environment = ProcessInfo.processInfo.environment
                let noColour = !(environment["NO_COLOR"] ?? "").isEmpty || environment["TERM"] == "dumb"
                let colour = isatty(1) == 1 && !noColour
                try Console.output(TextReportRenderer.render(report, colour: colour))
            case .json: try Console.output(JSONReportRenderer.renderLine(report))
            case .markdown:
                try Console.output(MarkdownReportRenderer.render(report, incidents: try reader.incidents(of: report)))
            case .html: try Console.output(HTMLReportRenderer.render(report))
            case .svgBadge:
                guard report.targets.count == 1, let only = report.targets.first else {
                    let names = report.targets.map(\.name).joined(separator: ", ")
                    throw UsageError(
                        "a badge shows one target; give --target NAME (recorded: \(names.isEmpty ? "none" : names))")
                }
                try Console.output(SVGBadgeRenderer.render(only))
            }
            return threshold.map { report.targets(below: $0) } ?? []
        }
        guard let failUnder, !failing.isEmpty else { return }
        // Rounded down like every printed percentage, with at least the threshold's decimals, so the number shown
        // is below the threshold it failed.
        let decimals = max(3, failUnder.split(separator: ".").dropFirst().first?.count ?? 0)
        let names = failing.map { target in
            "\(target.name) " + (ReportNumberText.availability(target, decimals: min(decimals, 12)) ?? "no data")
        }
        Console.message(
            "jina-history: availability below \(failUnder)%: \(names.joined(separator: ", "))\n")
        throw ExitCode(1)
    }

    /// `--fail-under`'s percentage, read as a decimal so that it compares exactly.
    private static func percentage(_ text: String) throws -> Decimal {
        guard text.allSatisfy({ $0.isNumber || $0 == "." }), let value = Decimal(string: text, locale: nil),
            (0...100).contains(value)
        else {
            throw UsageError("--fail-under '\(text)' must be a percentage from 0 to 100, e.g. 99.9")
        }
        return value
    }

    /// `--label KEY=VALUE` options as one selector.
    private static func labelSelector(_ options: [String]) throws -> [String: String] {
        var selector: [String: String] = [:]
        for option in options {
            guard let equals = option.firstIndex(of: "="), equals != option.startIndex else {
                throw UsageError("--label '\(option)' is not KEY=VALUE; e.g. --label team=search")
            }
            selector[String(option[..<equals])] = String(option[option.index(after: equals)...])
        }
        return selector
    }
}

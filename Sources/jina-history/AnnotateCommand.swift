import ArgumentParser
import Foundation
import JinaHistoryKit

/// `jina-history annotate --maintenance`: records a maintenance window after the fact; reports move its time
/// out of up and down and list it.
struct AnnotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Record a maintenance window after the fact: reports count its time as maintenance, not up or down.")

    @Flag(help: "The annotation is a maintenance window (the only kind so far).")
    var maintenance = false

    @Option(help: "Start: the same forms as report --since (2026-11-24T10:00, 2h, yesterday, …).")
    var from: String

    @Option(help: "End, in the same forms; may be in the future for planned work.")
    var to: String

    @Option(help: "The target it applies to (default: every target).")
    var target: String?

    @Option(help: "Why: shown in reports.")
    var note = ""

    @Option(help: "Time zone for dates and local times in --from/--to (default UTC).")
    var tz = "UTC"

    @OptionGroup var database: DatabaseOption

    func run() async throws {
        try await reportingErrors {
            guard maintenance else {
                throw JinaHistoryError.badInput("say what to annotate: --maintenance (the only kind so far)")
            }
            let nowMs = RunClock.wallNowMs()
            let zone = try TimeText.zone(named: tz)
            let fromMs = try TimeText.epochMilliseconds(from, flag: "--from", nowMs: nowMs, zone: zone)
            let toMs = try TimeText.epochMilliseconds(to, flag: "--to", nowMs: nowMs, zone: zone)
            guard toMs > fromMs else { throw JinaHistoryError.badInput("--from must be before --to") }
            // Read first: an annotation never creates a database or opens one for writing in vain.
            let reader = try HistoryReader(path: database.path)
            if let target { try reader.requireTarget(named: target) }
            try HistoryWriter(path: database.path).annotateMaintenance(
                targetName: target, fromMs: fromMs, toMs: toMs, note: note, createdMs: nowMs)
            print("maintenance \(TimeText.rfc3339(fromMs, zone: zone)) .. \(TimeText.rfc3339(toMs, zone: zone)) "
                + "recorded for \(target ?? "every target")")
        }
    }
}

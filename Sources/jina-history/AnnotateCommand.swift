import ArgumentParser
import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite

/// `jina-history annotate`: records a maintenance window after the fact (reports move its time out of up and
/// down and list it), lists the windows, or deletes one (kept as deleted, so reports can say so).
struct AnnotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Record, list or delete maintenance windows: reports count their time as maintenance, not up or down.",
        discussion: """
            annotate --maintenance --from T --to T [--target NAME] [--note TEXT] records one; annotate --list \
            shows them all with their ids; annotate --delete ID deletes one: reports stop counting it and list it \
            as deleted.
            """)

    @Flag(help: "Record a maintenance window (with --from and --to).")
    var maintenance = false

    @Flag(help: "List every maintenance window, deleted ones included, with its id.")
    var list = false

    @Option(help: "Delete the maintenance window with this id (see --list); it stays listed as deleted.")
    var delete: Int64?

    @Option(parsing: .unconditional, help: "Start: the same forms as report --since (2026-11-24T10:00, 2h, yesterday, …).")
    var from: String?

    @Option(parsing: .unconditional, help: "End, in the same forms; may be in the future for planned work.")
    var to: String?

    @Option(help: "The target it applies to (default: every target).")
    var target: String?

    @Option(help: "Why: shown in reports.")
    var note = ""

    @Option(help: "Time zone of dates and local times in --from/--to, and of listed times.")
    var tz = "UTC"

    @OptionGroup var database: DatabaseOption

    func run() async throws {
        try await reportingErrors {
            guard [maintenance, list, delete != nil].count(where: { $0 }) == 1 else {
                throw UsageError(
                    "say what to annotate: --maintenance --from T --to T to record a window, --list, or --delete ID")
            }
            let zone = try TimeText.zone(named: tz)
            let nowMs = RunClock.wallNowMs()
            let span = try maintenance ? Self.span(from: from, to: to, nowMs: nowMs, zone: zone) : nil
            // Read first: an annotation never creates a database or opens one for writing in vain.
            let store = try database.store()
            let reader = try store.openReader()
            let time = { (ms: Int64) in TimeText.rfc3339(ms, zone: zone) }
            if list {
                let names = try reader.targetNames()
                for window in try reader.maintenanceWindows() {
                    print(Self.describe(window, names: names, time: time))
                }
                return
            }
            if let delete {
                // Checked read-only first: a wrong id opens nothing for writing.
                guard try reader.maintenanceWindows().contains(where: { $0.id == delete }) else {
                    throw JinaHistoryError.invalid(.delete, value: "\(delete)", .noSuchMaintenanceWindow)
                }
                let window = try store.openWriter().deleteMaintenance(id: delete, deletedMs: nowMs)
                print("deleted: \(Self.describe(window, names: try reader.targetNames(), time: time)); reports no "
                    + "longer count it and list it as deleted")
                return
            }
            guard let (fromMs, toMs) = span else { return }
            if let target { try reader.requireTarget(named: target) }
            try store.openWriter().annotateMaintenance(
                targetName: target, fromMs: fromMs, toMs: toMs, note: note, createdMs: nowMs)
            // Its length, so a typo (a year for a day) shows at once; --list and --delete undo it.
            print("maintenance \(time(fromMs)) .. \(time(toMs)) (\(DurationText.text(toMs - fromMs))) recorded for "
                + "\(target ?? "every target")")
        }
    }

    /// `--from` and `--to` as a span, checked before any database is opened.
    private static func span(from: String?, to: String?, nowMs: Int64, zone: TimeZone) throws -> (Int64, Int64) {
        guard let from, let to else { throw UsageError("--maintenance needs --from and --to") }
        let fromMs = try TimeText.epochMilliseconds(from, for: .from, nowMs: nowMs, zone: zone)
        let toMs = try TimeText.epochMilliseconds(to, for: .to, nowMs: nowMs, zone: zone)
        guard toMs > fromMs else { throw UsageError("--from must be before --to") }
        return (fromMs, toMs)
    }

    /// One window on one line: id, times, scope, note, and whether it was deleted.
    private static func describe(_ window: MaintenanceWindow, names: [Int64: String], time: (Int64) -> String)
        -> String
    {
        let scope = window.targetId.map { names[$0] ?? "target \($0)" } ?? "every target"
        let deleted = window.deletedMs.map { "  (deleted \(time($0)))" } ?? ""
        let note = window.note.isEmpty ? "" : "  \(window.note.oneLine(limit: 200))"
        return "#\(window.id)  \(time(window.fromMs)) .. \(time(window.toMs))  \(scope)\(note)\(deleted)"
    }
}

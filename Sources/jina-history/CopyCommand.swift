import ArgumentParser
import Foundation
import JinaHistoryCore
import JinaHistoryRecorder

/// `jina-history db copy`: moves a history into another store (a laptop's SQLite file into the central
/// PostgreSQL), idempotent and resumable (``HistoryCopy``).
struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a history into another database (e.g. a SQLite file into PostgreSQL); run it again to finish an interrupted copy, nothing is copied twice.")

    @Option(help: "The history to copy: a SQLite file or a postgres:// url.")
    var from: String

    @Option(help: "Where to copy it: a postgres:// url or a SQLite file (created when missing).")
    var to: String

    @Option(help: "Record every copied run as standing at this vantage (default: each run's own).")
    var vantage: String?

    func run() async throws {
        try await reportingErrors {
            let vantage = try vantage.map(RecordCommand.checkedVantage)
            let source = try HistoryStore(location: from)
            let destination = try HistoryStore(location: to)
            guard source.location != destination.location else {
                throw UsageError("--from and --to name the same history; give another --to")
            }
            let summary = try HistoryCopy(vantage: vantage).copy(from: source.openReader()) {
                let writer = try destination.openWriter()
                return (writer, try destination.openReader())
            }
            try Console.output("copied \(summary.runsCopied) runs (\(summary.rounds) rounds) and "
                + "\(summary.maintenance) maintenance windows from \(source.location) into \(destination.location)"
                + (summary.runsResumed > 0 ? "; finished \(summary.runsResumed) runs an earlier copy began" : "")
                + (summary.runsPresent > 0 ? "; \(summary.runsPresent) runs were there already" : "") + "\n")
        }
    }
}

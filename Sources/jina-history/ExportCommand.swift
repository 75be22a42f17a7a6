import ArgumentParser
import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite

/// `jina-history export`: raw history of any window as CSV or NDJSON, streamed.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write raw history (rounds, attempts, transitions or outages) of a window as CSV or NDJSON.",
        discussion: "Rows stream in time order from one snapshot, so any size of history exports in constant memory. Times are RFC 3339 UTC.")

    @Option(help: "What to export: rounds, attempts, transitions or outages.",
            completion: .list(ExportTable.allCases.map(\.rawValue)))
    var what: String

    @Option(help: "csv (with a header line) or ndjson (one JSON object per line).",
            completion: .list(ExportFormat.allCases.map(\.rawValue)))
    var format = "csv"

    @Option(help: "Only this target.")
    var target: String?

    @Option(help: "Only what the recorders of this vantage saw (docs/semantics.md §9).")
    var vantage: String?

    @OptionGroup var window: WindowOptions

    @OptionGroup var database: DatabaseOption

    func run() async throws {
        try await reportingErrors {
            guard let table = ExportTable(rawValue: what) else {
                throw UsageError("--what '\(what)': export rounds, attempts, transitions or outages")
            }
            guard let format = ExportFormat(rawValue: format) else {
                throw UsageError("--format '\(format)': use csv or ndjson")
            }
            let window = try window.window(nowMs: RunClock.wallNowMs())
            let reader = try database.store().openReader()
            if table == .rounds || table == .attempts, let prunedMs = try reader.rawRoundsPrunedBefore(window) {
                Console.message(
                    "jina-history: raw rounds before \(TimeText.rfc3339(prunedMs)) were pruned: this export has only "
                        + "the ones kept there (transitions' and outages'); report keeps that time's availability "
                        + "and counts\n")
            }
            let output = BufferedOutput()
            if let header = format.header(table.columns) { try output.write(header) }
            try reader.export(table, window: window, target: target, vantage: vantage) { values in
                try output.write(format.line(table.columns, values))
            }
            try output.flush()
        }
    }
}

/// Lines to stdout in 64 KiB writes: an export of millions of rows should not make a system call per row.
private final class BufferedOutput {
    private var buffer = Data()

    func write(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { try flush() }
    }

    func flush() throws {
        try Console.output(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

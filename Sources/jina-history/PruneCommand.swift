import ArgumentParser
import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite

/// `jina-history prune --keep-raw 90d`: deletes old raw rounds whose time and counts rollups already hold.
struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete raw rounds older than --keep-raw that rollups cover; reports of that time do not change.",
        discussion: """
            Rollups, transitions, runs, annotations and every round no rollup covers (the rounds that started, \
            confirmed or ended an outage, skipped slots) are kept forever, so availability, outages and their \
            first errors stay as they were. Safe beside a running recorder: it deletes in small transactions.
            """)

    @Option(help: "Keep raw rounds of this long back from now (at least 1h), e.g. 90d.")
    var keepRaw: String

    @OptionGroup var database: DatabaseOption

    func run() async throws {
        try await reportingErrors {
            let keepMs = try DurationText.milliseconds(keepRaw, for: .keepRaw)
            guard keepMs >= RollupSpan.longestMs else {
                throw UsageError("--keep-raw must be at least 1h (a rollup span may be an hour long)")
            }
            // Read first: pruning never creates a database.
            let store = try database.store()
            _ = try store.openReader()
            let nowMs = RunClock.wallNowMs()
            let beforeMs = nowMs - keepMs
            let result = try store.openWriter().prune(beforeMs: beforeMs, nowMs: nowMs)
            let freed = ByteText.binary(Int64(result.pagesFreed) * 4_096)
            try Console.output(
                "pruned \(result.rounds) raw rounds and \(result.attempts) attempts recorded before "
                    + "\(TimeText.rfc3339(beforeMs)); rollups keep their time and counts; \(freed) given back\n")
        }
    }
}

import ArgumentParser
import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite

/// `jina-history db`: the history database itself.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Look after the history database.",
        subcommands: [StatsCommand.self, SeedCommand.self, CopyCommand.self])
}

/// `jina-history db seed`: a synthetic history for benchmarks and trials, written by the recorder's storage code.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Write a synthetic history (outages, retries, crashed and stopped runs) into a new database.")

    @OptionGroup var database: DatabaseOption

    @Option(parsing: .unconditional, help: "Targets, named seed-0, seed-1, …")
    var targets = 10

    @Option(help: "How much history, ending now (e.g. 1d, 30d).")
    var span = "1d"

    @Option(help: "Every target's interval.")
    var interval = "1s"

    @Option(help: "Each round starts an outage (1 to 300 rounds) with a chance of one in this many.")
    var outageOdds: UInt64 = HistorySeeder.defaultOutageOdds

    @Option(help: "Random seed: the same arguments write the same history.")
    var seed: UInt64 = 1

    func run() async throws {
        try await reportingErrors {
            let spanMs = try DurationText.milliseconds(span, for: .span)
            let intervalMs = try DurationText.milliseconds(interval, for: .interval)
            guard targets >= 1, intervalMs >= 10, spanMs >= intervalMs, outageOdds >= 1 else {
                throw UsageError("--targets and --outage-odds must be 1 or more, --interval at least "
                    + "10ms, --span at least one interval")
            }
            // Never the default database: synthetic targets must not land in a real history.
            guard let location = database.db else {
                throw UsageError(
                    "db seed writes synthetic targets (seed-0, …) into a new database: give it with --db NEW.sqlite")
            }
            let store = try HistoryStore(location: location)
            switch store {
            case .sqlite(let path) where FileManager.default.fileExists(atPath: path):
                throw UsageError("\(path) exists; db seed writes a new database, give another --db")
            case .postgres where (try? store.openReader()) != nil:
                throw UsageError("\(store.location) holds a history; db seed writes a new one, give another --db")
            default: break
            }
            let seeder = HistorySeeder(targets: targets, spanMs: spanMs, intervalMs: intervalMs,
                                       endMs: RunClock.wallNowMs(), seed: seed, outageOdds: outageOdds)
            let started = ContinuousClock.now
            let rounds = try seeder.write(into: store.openWriter())
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            try Console.output(String(format: "wrote %d rounds of %d target%@ into %@ in %.1f s (%.0f rounds/s)\n",
                                      rounds, targets, targets == 1 ? "" : "s", store.location, seconds,
                                      Double(rounds) / max(seconds, 0.001)))
        }
    }
}

/// `jina-history db stats`: what the database holds and costs, read-only beside a running recorder.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Sizes, rows per table, bytes per round and each target's projected size per year.")

    @OptionGroup var database: DatabaseOption

    @Option(help: "text for people, json for programs.")
    var format = StatsFormat.text

    /// Output formats.
    enum StatsFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func run() async throws {
        try await reportingErrors {
            let store = try database.store()
            let stats = try store.openReader().stats()
            try Console.output(format == .json ? DatabaseStatsRenderer.json(stats, location: store.location)
                : DatabaseStatsRenderer.text(stats, location: store.location))
        }
    }
}

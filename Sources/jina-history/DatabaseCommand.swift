import ArgumentParser
import Foundation
import JinaHistoryKit

/// `jina-history db`: the history database itself.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Look after the history database.",
        subcommands: [StatsCommand.self, SeedCommand.self])
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
            let spanMs = try DurationText.milliseconds(span, flag: "--span")
            let intervalMs = try DurationText.milliseconds(interval, flag: "--interval")
            guard targets >= 1, intervalMs >= 10, spanMs >= intervalMs, outageOdds >= 1 else {
                throw JinaHistoryError.badInput("--targets and --outage-odds must be 1 or more, --interval at least "
                    + "10ms, --span at least one interval")
            }
            // Never the default database: synthetic targets must not land in a real history.
            guard let path = database.db else {
                throw JinaHistoryError.badInput(
                    "db seed writes synthetic targets (seed-0, …) into a new database: give it with --db NEW.sqlite")
            }
            guard !FileManager.default.fileExists(atPath: path) else {
                throw JinaHistoryError.badInput("\(path) exists; db seed writes a new database, give another --db")
            }
            let seeder = HistorySeeder(targets: targets, spanMs: spanMs, intervalMs: intervalMs,
                                       endMs: RunClock.wallNowMs(), seed: seed, outageOdds: outageOdds)
            let started = ContinuousClock.now
            let rounds = try seeder.write(into: HistoryWriter(path: path))
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            try Console.output(String(format: "wrote %d rounds of %d target%@ into %@ in %.1f s (%.0f rounds/s)\n",
                                      rounds, targets, targets == 1 ? "" : "s", path, seconds,
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
            let stats = try HistoryReader(path: database.path).stats()
            try Console.output(format == .json ? json(stats) : text(stats))
        }
    }

    private func text(_ stats: DatabaseStats) -> String {
        var lines = [
            "\(database.path) (schema \(stats.schemaVersion))",
            "size     \(bytes(stats.fileBytes)) file + \(bytes(stats.walBytes)) WAL; \(stats.freePages) free pages "
                + "of \(stats.pageSize) B",
            "rounds   \(stats.rounds)" + (stats.bytesPerRound.map { String(format: " (%.1f B each on disk)", $0) } ?? ""),
            "rows     " + stats.rows.map { "\($0.table) \($0.count)" }.joined(separator: ", "),
            "",
            "target".padding(toLength: 32, withPad: " ", startingAt: 0) + "   rounds  interval  per year  last round",
        ]
        for target in stats.targets {
            let interval = target.intervalMs.map { String(format: "%gs", Double($0) / 1_000) } ?? "-"
            let year = stats.projectedBytesPerYear(target).map { bytes(Int64($0)) } ?? "-"
            lines.append(target.name.oneLine(limit: 32).padding(toLength: 32, withPad: " ", startingAt: 0)
                + String(format: " %8d  %8@  %8@  ", target.rounds, interval, year)
                + (target.lastMs.map { TimeText.rfc3339($0) } ?? "never"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func json(_ stats: DatabaseStats) -> String {
        let document: [String: Any] = [
            "path": database.path, "schema_version": stats.schemaVersion, "file_bytes": stats.fileBytes,
            "wal_bytes": stats.walBytes, "free_pages": stats.freePages, "page_size": stats.pageSize,
            "rounds": stats.rounds, "bytes_per_round": stats.bytesPerRound ?? NSNull(),
            "rows": Dictionary(uniqueKeysWithValues: stats.rows.map { ($0.table, $0.count) }),
            "targets": stats.targets.map { target -> [String: Any] in
                [
                    "name": target.name, "rounds": target.rounds,
                    "first_round": target.firstMs.map { TimeText.rfc3339($0) } ?? NSNull(),
                    "last_round": target.lastMs.map { TimeText.rfc3339($0) } ?? NSNull(),
                    "interval_s": target.intervalMs.map { Double($0) / 1_000 } ?? NSNull(),
                    "projected_bytes_per_year": stats.projectedBytesPerYear(target) ?? NSNull(),
                ]
            },
        ]
        let data = (try? JSONSerialization.data(
            withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private func bytes(_ count: Int64) -> String { ByteText.binary(count) }
}

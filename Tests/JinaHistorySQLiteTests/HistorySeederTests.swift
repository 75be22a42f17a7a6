import Foundation
import JinaHistoryCore
import JinaHistoryRecorder
import JinaHistorySQLite
import JinaHistoryTestSupport
import GRDB
import Testing

/// The synthetic history generator behind `db seed`: written by the recorder's storage code, realistic, and the
/// same for the same seed.
@Suite("history seeder")
struct HistorySeederTests {
    private func seed(_ path: String, seed: UInt64, outageOdds: UInt64 = HistorySeeder.defaultOutageOdds) throws
        -> (rounds: Int, checksum: [Int64])
    {
        let seeder = HistorySeeder(targets: 2, spanMs: 4 * 3_600_000, intervalMs: 1_000, endMs: 1_795_000_000_000,
                                   seed: seed, outageOdds: outageOdds)
        let rounds = try seeder.write(into: HistoryWriter(path: path))
        let checksum = try DatabaseQueue(path: path).read { db in
            try Row.fetchOne(db, sql: """
                SELECT count(*), sum(verdict), sum(duration_us), (SELECT count(*) FROM attempt),
                       (SELECT count(*) FROM transition) FROM round
                """).map { row in (0..<5).map { row[$0] as Int64 } } ?? []
        }
        return (rounds, checksum)
    }

    @Test("every slot of every target once, outages with transitions, flaky rounds; the same seed, the same history")
    func seededHistory() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try seed(directory.appending(path: "a.sqlite").path, seed: 7)
        #expect(first.rounds == 2 * 4 * 3_600)
        #expect(first.checksum[0] == Int64(first.rounds))
        #expect(first.checksum[1] < Int64(first.rounds), "some rounds are down")
        #expect(first.checksum[3] > 0 && first.checksum[4] >= 2, "retries and outages were written: \(first.checksum)")
        let again = try seed(directory.appending(path: "b.sqlite").path, seed: 7)
        #expect(again.checksum == first.checksum)
        let other = try seed(directory.appending(path: "c.sqlite").path, seed: 8)
        #expect(other.checksum != first.checksum)

        let report = try HistoryReader(path: directory.appending(path: "a.sqlite").path).report(
            window: try ReportWindow(sinceMs: 1_795_000_000_000 - 4 * 3_600_000, untilMs: 1_795_000_000_000,
                                     nowMs: 1_795_000_000_000))
        #expect(report.targets.count == 2)
        #expect(report.targets.allSatisfy { ($0.availability ?? 1) < 1 && ($0.availability ?? 0) > 0.9 })
    }

    @Test("--outage-odds sets how stormy the history is; odds of 0 are refused in one line")
    func outageOdds() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stormy = try seed(directory.appending(path: "stormy.sqlite").path, seed: 7, outageOdds: 500)
        let usual = try seed(directory.appending(path: "usual.sqlite").path, seed: 7)
        // Transitions: at 1 in 500 a round, 4 hours of 2 targets hold dozens of outages; at 1 in 20,000, a few.
        #expect(stormy.checksum[4] > 4 * usual.checksum[4], "\(stormy.checksum) vs \(usual.checksum)")
        let refused = try await runJinaHistory(
            ["db", "seed", "--db", directory.appending(path: "none.sqlite").path, "--outage-odds", "0"])
        #expect(refused.status == 2 && refused.stderr.contains("--outage-odds must be 1 or more"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.appending(path: "none.sqlite").path))
    }
}

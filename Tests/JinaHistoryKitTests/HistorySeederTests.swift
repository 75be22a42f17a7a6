import Foundation
import GRDB
import JinaHistoryKit
import Testing

/// The synthetic history generator behind `db seed`: written by the recorder's storage code, realistic, and the
/// same for the same seed.
@Suite("history seeder")
struct HistorySeederTests {
    private func seed(_ path: String, seed: UInt64) throws -> (rounds: Int, checksum: [Int64]) {
        let seeder = HistorySeeder(targets: 2, spanMs: 4 * 3_600_000, intervalMs: 1_000, endMs: 1_795_000_000_000,
                                   seed: seed)
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
}

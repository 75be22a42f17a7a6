import Foundation
import JinaHistoryCore
import JinaHistoryRecorder
import JinaHistorySQLite
import JinaHistoryTestSupport
import Testing

/// `db copy` between real SQLite files (the PostgreSQL destination is checked by the command-line tests): the same
/// report from the copy, nothing copied twice, an interrupted copy finished by the next one.
@Suite("history copy")
struct HistoryCopyTests {
    static let endMs: Int64 = 1_795_000_000_000

    /// A stormy history of 3 targets over 2 days (two runs, one maybe crashed), with maintenance, one deleted.
    private func source(in directory: URL) throws -> HistoryReader {
        let path = directory.appending(path: "source.sqlite").path
        let writer = try HistoryWriter(path: path)
        _ = try HistorySeeder(targets: 3, spanMs: 2 * 86_400_000, intervalMs: 5_000, endMs: Self.endMs, seed: 7,
                              outageOdds: 300).write(into: writer)
        try writer.annotateMaintenance(targetName: "seed-1", fromMs: Self.endMs - 7_200_000,
                                       toMs: Self.endMs - 3_600_000, note: "deploy", createdMs: Self.endMs)
        try writer.annotateMaintenance(targetName: nil, fromMs: Self.endMs - 18_000_000, toMs: Self.endMs - 14_400_000,
                                       note: "typo", createdMs: Self.endMs)
        _ = try writer.deleteMaintenance(id: 2, deletedMs: Self.endMs)
        return try HistoryReader(path: path)
    }

    private func reports(_ reader: any HistoryReading) throws -> [HistoryReport] {
        try [3 * 86_400_000, 30 * 3_600_000, 7 * 3_600_000].map { lengthMs in
            try reader.report(window: try ReportWindow(sinceMs: Self.endMs - lengthMs, untilMs: Self.endMs,
                                                       nowMs: Self.endMs + 600_000))
        }
    }

    private func rows(_ reader: any HistoryReading) throws -> [String: Int] {
        Dictionary(try reader.stats().rows.map { ($0.table, $0.count) }, uniquingKeysWith: { first, _ in first })
    }

    @Test("the copy reports what the source does, to the raw round and span read; a second copy adds no row")
    func sameReportsOnce() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try source(in: directory)
        let path = directory.appending(path: "copy.sqlite").path
        let writer = try HistoryWriter(path: path)
        let copy = HistoryCopy()
        let first = try copy.copy(from: source, to: writer, destination: try HistoryReader(path: path))
        let sourceRounds = try rows(source)["round"]
        #expect(first.runsCopied == 2 && first.rounds == sourceRounds && first.maintenance == 2, "\(first)")
        let copied = try HistoryReader(path: path)
        #expect(try reports(copied) == reports(source))
        let before = try rows(copied)
        let second = try copy.copy(from: source, to: writer, destination: copied)
        #expect(second.runsPresent == 2 && second.runsCopied + second.runsResumed + second.rounds == 0, "\(second)")
        #expect(try rows(copied) == before)
    }

    @Test("a copy that failed mid-run is finished by the next: no round twice, the same numbers")
    func interrupted() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try source(in: directory)
        let path = directory.appending(path: "copy.sqlite").path
        let writer = try HistoryWriter(path: path)
        var copy = HistoryCopy()
        copy.batchSize = 5_000
        // The storage fault the real file cannot give on demand: the fourth batch fails, as a full disk would.
        #expect(throws: JinaHistoryError.self) {
            try copy.copy(from: source, to: FailingWriter(writer, failingAt: 4), destination: HistoryReader(path: path))
        }
        let resumed = try copy.copy(from: source, to: writer, destination: try HistoryReader(path: path))
        let sourceRounds = try rows(source)["round"] ?? 0
        #expect(resumed.runsResumed == 1 && resumed.runsCopied == 1 && resumed.rounds == sourceRounds - 15_000,
                "\(resumed)")
        let copied = try HistoryReader(path: path)
        #expect(try rows(copied)["round"] == rows(source)["round"])
        // The resumed run's rollups begin anew where the copy stopped, so the method reads other spans; every
        // number is the same.
        let (copiedReports, sourceReports) = (try reports(copied), try reports(source))
        #expect(copiedReports.map(\.targets) == sourceReports.map(\.targets))
        #expect(copiedReports.map(\.storageFaults) == sourceReports.map(\.storageFaults))
    }
}

/// A writer whose `failingAt`th batch fails, and every one after it.
private final class FailingWriter: HistoryWriting, @unchecked Sendable {
    private let writer: any HistoryWriting
    private let failingAt: Int
    private var appends = 0

    init(_ writer: any HistoryWriting, failingAt: Int) {
        self.writer = writer
        self.failingAt = failingAt
    }

    var location: String { writer.location }

    func beginRun(startedMs: Int64, host: String, vantage: String, pid: Int, version: String,
                  targets: [ScheduledTarget], exclusive: Bool) throws -> (runId: Int64, targetIds: [Int64]) {
        try writer.beginRun(startedMs: startedMs, host: host, vantage: vantage, pid: pid, version: version,
                            targets: targets, exclusive: exclusive)
    }

    func resumeRun(_ runId: Int64, targets: [(id: Int64, intervalMs: Int64)]) throws {
        try writer.resumeRun(runId, targets: targets)
    }

    func append(_ rounds: [RecordedRound], deliveries: [NotificationDelivery], runId: Int64, heartbeatMs: Int64,
                endingFault: StorageFault?) throws {
        appends += 1
        guard appends < failingAt else {
            throw JinaHistoryError.storage(StorageProblem(location: location, reason: .other, detail: "disk full"))
        }
        try writer.append(rounds, deliveries: deliveries, runId: runId, heartbeatMs: heartbeatMs,
                          endingFault: endingFault)
    }

    func finishRun(_ runId: Int64, stoppedMs: Int64) throws { try writer.finishRun(runId, stoppedMs: stoppedMs) }
    func checkpoint() { writer.checkpoint() }
    func annotateMaintenance(targetName: String?, fromMs: Int64, toMs: Int64, note: String, createdMs: Int64) throws {
        try writer.annotateMaintenance(targetName: targetName, fromMs: fromMs, toMs: toMs, note: note,
                                       createdMs: createdMs)
    }
    func deleteMaintenance(id: Int64, deletedMs: Int64) throws -> MaintenanceWindow {
        try writer.deleteMaintenance(id: id, deletedMs: deletedMs)
    }
    func prune(beforeMs: Int64, nowMs: Int64) throws -> PruneResult { try writer.prune(beforeMs: beforeMs, nowMs: nowMs) }
}

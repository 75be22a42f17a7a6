import Foundation
@testable import JinaHistoryCore
@testable import JinaHistoryRecorder
@testable import JinaHistorySQLite
import JinaHistoryTestSupport
import GRDB
import Testing

/// Storage on real SQLite files in WAL mode: migrations, versions, round trips, readers beside the writer.
@Suite("storage")
struct HistoryStorageTests {
    private let directory: URL
    private let path: String

    init() throws {
        directory = try TestPaths.temporaryDirectory()
        path = directory.appending(path: "nested/dir/history.sqlite").path
    }

    private func target(_ name: String = "flow-a") throws -> ScheduledTarget {
        ScheduledTarget(
            target: Target(name: name, kind: .flow, endpoint: try Endpoint(parsing: "127.0.0.1:5")),
            policy: try ProbePolicy(intervalMs: 1_000, timeoutMs: 500))
    }

    @Test("a new database is created with its directories, WAL, owner-only, at the latest schema version")
    func migratesFromEmpty() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try HistoryWriter(path: path)
        let queue = try DatabaseQueue(path: path)
        let (version, journal, tables, autoVacuum) = try queue.read { db in
            (
                try Int.fetchOne(db, sql: "PRAGMA user_version"),
                try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
                try Int.fetchOne(db, sql: "PRAGMA auto_vacuum")
            )
        }
        #expect(version == HistoryDatabase.latestVersion)
        #expect(version == 11)
        #expect(journal == "wal")
        #expect(autoVacuum == 2, "incremental, so prune can give pages back")
        #expect(tables == ["annotation", "attempt", "error", "loose_rounds", "notification", "prune", "recorder_run",
                           "rollup", "rollup_day", "round", "run_target", "storage_fault", "target", "transition"])
        for file in [path, path + "-wal", path + "-shm"] {
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file) is readable by others")
        }
        let directoryMode = try FileManager.default.attributesOfItem(
            atPath: directory.appending(path: "nested/dir").path)[.posixPermissions] as? Int
        #expect(directoryMode == 0o700)
    }

    @Test("reopening keeps the history and runs no migration twice")
    func reopen() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try HistoryWriter(path: path)
        let (run, ids) = try first.beginRun(startedMs: 1_000, host: "h", pid: 1, version: "t", targets: [try target()])
        try first.append([RecordedRound(targetId: ids[0], round: RoundRecord(scheduledMs: 1_000, verdict: .up), transition: nil)],
                         runId: run, heartbeatMs: 1_500)
        let second = try HistoryWriter(path: path)
        let (_, sameIds) = try second.beginRun(startedMs: 2_000, host: "h", pid: 1, version: "t", targets: [try target()])
        #expect(sameIds == ids, "a target keeps its id by name across runs")
        let count = try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM round") }
        #expect(count == 1)
    }

    @Test("a version 1 database moves forward to the latest version, keeping its history; its targets get no labels")
    func migratesForward() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let version1 = try String(
            contentsOf: TestPaths.repository.appending(path: "migrations/0001_history.sql"), encoding: .utf8)
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: version1)
            try db.execute(sql: "PRAGMA user_version = 1")
            try db.execute(sql: "INSERT INTO target (name, kind, url, created_ms) VALUES ('old', 'flow', 'grpc://h:1', 1)")
        }
        // Read as it is first: a report never migrates, and an older file lacks the tables added since.
        let older = try HistoryReader(path: path).report(
            window: try ReportWindow(sinceMs: 0, untilMs: 10_000, nowMs: 10_000))
        #expect(older.targets.isEmpty && older.storageFaults.isEmpty)
        _ = try HistoryWriter(path: path)
        let (version, labels) = try DatabaseQueue(path: path).read { db in
            (try Int.fetchOne(db, sql: "PRAGMA user_version"),
             try String.fetchOne(db, sql: "SELECT labels FROM target WHERE name = 'old'"))
        }
        #expect(version == HistoryDatabase.latestVersion)
        #expect(labels == "{}")
    }

    @Test("a file a recorder is still creating (no schema yet) is not a report's error but 'no history yet'")
    func emptyFileHasNoHistoryYet() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        #expect {
            _ = try HistoryReader(path: path)
        } throws: { error in
            (error as? JinaHistoryError)?.description.contains("holds no history yet") == true
        }
    }

    @Test("a database from a newer jina-history is refused, unchanged, by writer and reader")
    func refusesNewerSchema() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try HistoryWriter(path: path)
        try DatabaseQueue(path: path).write { try $0.execute(sql: "PRAGMA user_version = 99") }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        for open in [{ _ = try HistoryWriter(path: path) }, { _ = try HistoryReader(path: path) }] {
            #expect {
                try open()
            } throws: { error in
                let message = (error as? JinaHistoryError)?.description ?? ""
                return message.contains("schema version 99") && message.contains("upgrade jina-history")
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test("a report on a path with no database says so and creates nothing")
    func missingDatabase() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect {
            _ = try HistoryReader(path: path)
        } throws: { error in
            (error as? JinaHistoryError)?.description.contains("no history database at") == true
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appending(path: "nested").path))
    }

    @Test("a file that is not a database is refused with one line naming it")
    func notADatabase() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appending(path: "nested/dir"), withIntermediateDirectories: true)
        try Data("this is not sqlite, just text long enough to have a header".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try HistoryWriter(path: path)
        } throws: { error in
            let message = (error as? JinaHistoryError)?.description ?? ""
            return message.hasPrefix(path) && message.contains("not a jina-history database") && !message.contains("\n")
        }
    }

    @Test("rounds, retries, errors and transitions round-trip; healthy rounds are stored inline")
    func roundTrip() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try HistoryWriter(path: path)
        let (run, ids) = try writer.beginRun(startedMs: 0, host: "h", pid: 1, version: "t", targets: [try target()])
        let jinaError = FailureDetail(
            .notReady, message: "Communication error with deployment echo at address(es) {'127.0.0.1:50805'}.",
            exception: "InternalNetworkError")
        let failed = RoundRecord(scheduledMs: 1_000, verdict: .down, startLagMs: 1, durationUs: 7_000, attempts: [
            AttemptRecord(number: 1, startedMs: 1_001, durationUs: 3_000, rawCode: 1, failure: jinaError),
            AttemptRecord(number: 2, startedMs: 1_005, durationUs: 3_000, rawCode: 1, failure: jinaError),
            AttemptRecord(role: .gatewayLiveness, number: 1, startedMs: 1_009, durationUs: 500, rawCode: 1),
        ])
        let healthy = RoundRecord(scheduledMs: 0, verdict: .up, durationUs: 2_500, attempts: [
            AttemptRecord(number: 1, startedMs: 0, durationUs: 2_500),
        ])
        let transition = Transition(from: .up, to: .down, atMs: 1_008, roundScheduledMs: 1_000, streakStartedMs: 1_000,
                                    failure: jinaError)
        try writer.append([
            RecordedRound(targetId: ids[0], round: healthy, transition: nil),
            RecordedRound(targetId: ids[0], round: failed, transition: transition),
        ], runId: run, heartbeatMs: 1_010)
        try writer.finishRun(run, stoppedMs: 2_000)

        let db = try DatabaseQueue(path: path)
        let stored = try db.read { db in
            (
                attempts: try Int.fetchOne(db, sql: "SELECT count(*) FROM attempt"),
                errors: try Row.fetchOne(db, sql: "SELECT deployment, addresses, exception FROM error"),
                transitions: try Int.fetchOne(db, sql: "SELECT count(*) FROM transition"),
                run: try Row.fetchOne(db, sql: "SELECT heartbeat_ms, stopped_ms FROM recorder_run")
            )
        }
        #expect(stored.attempts == 3, "the healthy round's attempt is inline; the failed round's three are rows")
        #expect(stored.errors?["deployment"] == "echo")
        #expect(stored.errors?["addresses"] == "127.0.0.1:50805")
        #expect(stored.errors?["exception"] == "InternalNetworkError")
        #expect(stored.transitions == 1)
        #expect(stored.run?["stopped_ms"] == 2_000)

        let report = try #require(try HistoryReader(path: path)
            .report(window: try ReportWindow(sinceMs: 0, untilMs: 2_000, nowMs: 2_000)).targets.first)
        #expect(report.attempts == AttemptCounts(total: 3, ok: 1))
        #expect(report.successLatency == LatencySummary(sortedMicroseconds: [2_500]))
        #expect(report.outages.first?.layer == .flowNotReady)
        #expect(report.outages.first?.firstFailure == jinaError)
    }

    @Test("healthy rounds cost at most 32 bytes each on disk, indexes included; db stats says so")
    func bytesPerHealthyRound() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try HistoryWriter(path: path)
        let targets = try (0..<10).map { try target("t\($0)") }
        let (run, ids) = try writer.beginRun(startedMs: 0, host: "h", pid: 1, version: "t", targets: targets)
        let db = try DatabaseQueue(path: path)
        let pagesBefore = try db.read { try Int.fetchOne($0, sql: "PRAGMA page_count") ?? 0 }
        let roundsPerTarget = 2_000
        for batch in stride(from: 0, to: roundsPerTarget, by: 100) {
            var rounds: [RecordedRound] = []
            for slot in batch..<batch + 100 {
                let durationUs = 3_000 + Int64(slot)
                let attempt = AttemptRecord(number: 1, startedMs: 0, durationUs: durationUs)
                let slotMs = 1_795_000_000_000 + Int64(slot) * 1_000
                let round = RoundRecord(scheduledMs: slotMs, verdict: .up, durationUs: durationUs, attempts: [attempt])
                // As the recorder's state machine says: the first round makes the target up, the rest keep it so.
                let transition = slot == 0 ? Transition(from: .unknown, to: .up, atMs: slotMs, roundScheduledMs: slotMs,
                                                        streakStartedMs: slotMs) : nil
                rounds += ids.map { RecordedRound(targetId: $0, round: round, transition: transition) }
            }
            try writer.append(rounds, runId: run, heartbeatMs: Int64(batch))
        }
        try db.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let (pages, pageSize) = try db.read {
            (try Int.fetchOne($0, sql: "PRAGMA page_count") ?? 0, try Int.fetchOne($0, sql: "PRAGMA page_size") ?? 0)
        }
        let bytesPerRound = Double((pages - pagesBefore) * pageSize) / Double(roundsPerTarget * targets.count)
        #expect(bytesPerRound <= 32, "healthy round costs \(bytesPerRound) bytes")

        // `db stats` counts the same rounds and projects a year from the whole file (schema pages included).
        let stats = try HistoryReader(path: path).stats()
        #expect(stats.rounds == roundsPerTarget * targets.count)
        let perRound = try #require(stats.bytesPerRound)
        #expect(perRound >= bytesPerRound && perRound <= bytesPerRound + 8, "\(perRound) vs \(bytesPerRound)")
        let share = try #require(stats.targets.first)
        #expect(share.rounds == roundsPerTarget && share.intervalMs == 1_000)
        let year = try #require(stats.projectedBytesPerYear(share))
        #expect(abs(year - perRound * 365 * 86_400) <= 1, "\(year) vs \(perRound) B a round for a year at 1 s")
    }

    @Test("the report's queries search by key or index and never scan or sort: reports stay fast as history grows")
    func reportQueryPlans() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try HistoryWriter(path: path)
        let rawQueries: [String] = [false, true].flatMap { oneRun in
            [SQLiteSnapshot.roundsInRangesSQL(oneRun: oneRun), SQLiteSnapshot.attemptsInRangesSQL(oneRun: oneRun)]
        }
        let spanQueries: [String] = RollupLevel.allCases.flatMap {
            [SQLiteSnapshot.rollupSpansSQL($0), SQLiteSnapshot.rollupSpanKeysSQL($0)]
        }
        let queries = rawQueries + [SQLiteSnapshot.lastTransitionSQL] + spanQueries + [SQLiteSnapshot.looseRoundsSQL]
        try DatabaseQueue(path: path).read { db in
            for sql in queries {
                let placeholders = sql.filter { $0 == "?" }.count
                let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql,
                                            arguments: StatementArguments(Array(repeating: 1, count: placeholders)))
                    .map { $0["detail"] as String }
                // The one scan allowed is of the JSON list of keys or slot stretches (`w`, read straight or through
                // a co-routine), as the outer loop.
                let walksList = ["SCAN w", "CO-ROUTINE w", "SCAN json_each VIRTUAL TABLE"]
                let tables = plan.drop { step in
                    sql.contains("json_each(?)") && walksList.contains { step.hasPrefix($0) }
                }
                #expect(!tables.isEmpty && tables.allSatisfy { $0.hasPrefix("SEARCH") }, "\(sql)\n\(plan)")
                #expect(sql.contains("json_each") == (tables.count < plan.count), "\(sql)\n\(plan)")
                // The first pass over spans reads keys from an index, not the rows with their histograms.
                if RollupLevel.allCases.map(SQLiteSnapshot.rollupSpanKeysSQL).contains(sql) {
                    #expect(plan.allSatisfy { $0.contains("USING COVERING INDEX") }, "\(plan)")
                }
                // A month's loose rounds are one range of the primary key, read in its order.
                if sql == SQLiteSnapshot.looseRoundsSQL {
                    #expect(plan == ["SEARCH loose_rounds USING PRIMARY KEY (first_ms>? AND first_ms<?)"], "\(plan)")
                }
            }
        }
    }

    @Test("db stats --format json: the same counts, read-only")
    func statsCommand() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try HistoryWriter(path: path)
        let (run, ids) = try writer.beginRun(startedMs: 0, host: "h", pid: 1, version: "t", targets: [try target()])
        let rounds = (0..<50).map { slot in
            RecordedRound(targetId: ids[0], round: RoundRecord(scheduledMs: Int64(slot) * 1_000, verdict: .down,
                                                               attempts: []), transition: nil)
        }
        try writer.append(rounds, runId: run, heartbeatMs: 50_000)
        let result = try await runJinaHistory(["db", "stats", "--db", path, "--format", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["rounds"] as? Int == 50 && (document["rows"] as? [String: Int])?["target"] == 1)
        let share = try #require((document["targets"] as? [[String: Any]])?.first)
        #expect(share["name"] as? String == "flow-a" && share["rounds"] as? Int == 50 && share["interval_s"] as? Double == 1)
        let text = try await runJinaHistory(["db", "stats", "--db", path])
        #expect(text.status == 0 && text.stdout.contains("rounds   50 ("), "\(text.stdout)")
    }

    @Test("a growing rollup span is rewritten every 60 rounds, not every round; a clean stop stores it whole")
    func openSpanWrites() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try HistoryWriter(path: path)
        let (run, ids) = try writer.beginRun(startedMs: 0, host: "h", pid: 1, version: "t", targets: [try target()])
        for slot in Int64(0)..<100 {
            try writer.append(
                [RecordedRound(targetId: ids[0], round: RoundRecord(
                    scheduledMs: slot * 1_000, verdict: .up, durationUs: 1_000,
                    attempts: [AttemptRecord(number: 1, startedMs: slot * 1_000, durationUs: 1_000)]),
                    transition: slot == 0 ? Transition(from: .unknown, to: .up, atMs: 0, roundScheduledMs: 0,
                                                       streakStartedMs: 0, failure: nil) : nil)],
                runId: run, heartbeatMs: slot * 1_000 + 500)
        }
        func storedRounds() throws -> [Int] {
            try DatabaseQueue(path: path).read { try Int.fetchAll($0, sql: "SELECT rounds FROM rollup") }
        }
        // Slot 0 starts the state, so the span holds slots 1–99; its row was last written at 60 rounds.
        #expect(try storedRounds() == [60])
        let window = try ReportWindow(sinceMs: 0, untilMs: 100_000, nowMs: 100_000)
        #expect(try HistoryReader(path: path).report(window: window).targets.first?.rounds.total == 100)
        try writer.finishRun(run, stoppedMs: 100_000)
        #expect(try storedRounds() == [99])
        #expect(try HistoryReader(path: path).report(window: window).targets.first?.rounds.total == 100)
    }

    @Test("a report reads while the recorder writes: no busy error, no blocked writer, a consistent snapshot")
    func readerBesideWriter() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let writer = try HistoryWriter(path: path)
        let (run, ids) = try writer.beginRun(startedMs: 0, host: "h", pid: 1, version: "t", targets: [try target()])
        let writes = Task {
            for slot in 0..<400 {
                try writer.append(
                    [RecordedRound(targetId: ids[0], round: RoundRecord(
                        scheduledMs: Int64(slot) * 10, verdict: .up, durationUs: 1_000,
                        attempts: [AttemptRecord(number: 1, startedMs: Int64(slot) * 10, durationUs: 1_000)]),
                        transition: nil)],
                    runId: run, heartbeatMs: Int64(slot) * 10 + 5)
            }
        }
        var reports = 0
        var lastTotal = 0
        while reports < 50 {
            let report = try HistoryReader(path: path).report(
                window: try ReportWindow(sinceMs: 0, untilMs: 10_000, nowMs: 0))
            let total = report.targets.first?.rounds.total ?? 0
            #expect(total >= lastTotal, "a later snapshot never has fewer rounds")
            lastTotal = total
            reports += 1
        }
        try await writes.value
        #expect(try HistoryReader(path: path).report(
            window: try ReportWindow(sinceMs: 0, untilMs: 10_000, nowMs: 0)).targets.first?.rounds.total == 400)
    }
}

import Foundation
import JinaHistoryCore
import JinaHistoryTestSupport
import Testing

/// `db copy` of a SQLite history into a real PostgreSQL: the same JSON reports from both, nothing copied twice,
/// and its bad input.
@Suite("db copy", .serialized, .enabled(if: TestPostgresServer.isRunning))
struct CopyCommandTests {
    @Test("a seeded SQLite history copied into PostgreSQL gives the same JSON reports; a second copy adds no row")
    func sqliteIntoPostgres() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appending(path: "laptop.sqlite").path
        let seeded = try await runJinaHistory(["db", "seed", "--db", source, "--targets", "3", "--span", "2d",
                                               "--interval", "5s", "--outage-odds", "300", "--seed", "3"])
        #expect(seeded.status == 0, "\(seeded.stderr)")
        let untilMs = wallNowMs()
        for arguments in [["--from", "3h", "--to", "2h", "--target", "seed-1", "--note", "deploy"],
                          ["--from", "6h", "--to", "5h", "--note", "typo"]] {
            let annotated = try await runJinaHistory(["annotate", "--db", source, "--maintenance"] + arguments)
            #expect(annotated.status == 0, "\(annotated.stderr)")
        }
        #expect(try await runJinaHistory(["annotate", "--db", source, "--delete", "2"]).status == 0)

        let central = try await TestPostgresServer.freshDatabase()
        let copied = try await runJinaHistory(["db", "copy", "--from", source, "--to", central, "--vantage", "laptop"])
        #expect(copied.status == 0 && copied.stdout.contains("copied 2 runs") && copied.stdout.contains("2 maintenance"),
                "\(copied.stdout) \(copied.stderr)")

        for hours: Int64 in [72, 30, 7] {
            var reports: [String] = []
            for database in [source, central] {
                let result = try await runJinaHistory([
                    "report", "--db", database, "--since", TimeText.rfc3339(untilMs - hours * 3_600_000),
                    "--until", TimeText.rfc3339(untilMs), "--format", "json",
                ])
                #expect(result.status == 0, "\(result.stderr)")
                // Everything but when it was made.
                reports.append(result.stdout.split(separator: "\n").filter { !$0.contains("\"generated_at\"") }
                    .joined(separator: "\n"))
            }
            #expect(reports[0] == reports[1], "the last \(hours) hours")
            #expect(reports[0].contains("\"outages\" : [\n"), "a stormy history")
        }
        let vantages = try await runJinaHistory(["export", "--db", central, "--what", "transitions", "--format", "ndjson"])
        #expect(vantages.stdout.contains("\"vantage\":\"laptop\""), "every run stands at the vantage given")

        let statsBefore = try await runJinaHistory(["db", "stats", "--db", central, "--format", "json"])
        let again = try await runJinaHistory(["db", "copy", "--from", source, "--to", central, "--vantage", "laptop"])
        #expect(again.status == 0 && again.stdout.contains("copied 0 runs (0 rounds) and 0 maintenance")
                    && again.stdout.contains("2 runs were there already"), "\(again.stdout) \(again.stderr)")
        let statsAfter = try await runJinaHistory(["db", "stats", "--db", central, "--format", "json"])
        #expect(rows(statsBefore.stdout) == rows(statsAfter.stdout) && !rows(statsAfter.stdout).isEmpty)
    }

    @Test("bad input: the same history twice, a vantage too long, nothing to copy from, a pruned source")
    func badInput() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appending(path: "old.sqlite").path
        #expect(try await runJinaHistory(["db", "seed", "--db", source, "--targets", "1", "--span", "3d",
                                          "--interval", "1m"]).status == 0)
        let target = directory.appending(path: "copy.sqlite").path
        let same = try await runJinaHistory(["db", "copy", "--from", source, "--to", source])
        #expect(same.status == 2 && same.stderr.contains("same history"), "\(same.stderr)")
        let long = try await runJinaHistory(["db", "copy", "--from", source, "--to", target,
                                             "--vantage", String(repeating: "v", count: 101)])
        #expect(long.status == 2 && long.stderr.contains("--vantage"), "\(long.stderr)")
        let missing = try await runJinaHistory(["db", "copy", "--from", directory.appending(path: "none.sqlite").path,
                                                "--to", target])
        #expect(missing.status != 0 && missing.stderr.split(separator: "\n").count == 1, "\(missing.stderr)")
        #expect(try await runJinaHistory(["prune", "--db", source, "--keep-raw", "1d"]).status == 0)
        let pruned = try await runJinaHistory(["db", "copy", "--from", source, "--to", target])
        #expect(pruned.status == 2 && pruned.stderr.contains("prune deleted raw rounds"), "\(pruned.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target), "nothing created by a refused copy")
    }

    private func rows(_ json: String) -> [String: Int] {
        ((try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any])?["rows"] as? [String: Int] ?? [:]
    }
}

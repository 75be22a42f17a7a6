import Foundation
@testable import JinaHistoryConfig
@testable import JinaHistoryCore
@testable import JinaHistoryMetrics
@testable import JinaHistoryRecorder
@testable import JinaHistoryRender
@testable import JinaHistorySQLite
import JinaHistoryTestSupport
import JinaHistoryFakes
import NIOCore
import NIOPosix
import Testing

/// What a new user met at the command line: where things are created, what is said, what a help screen or a
/// completion offers, how labels and deleted annotations show.
@Suite("command line details", .serialized)
struct CommandLineDetailsTests {
    /// A database of one executor target named `ranker` that was refused three times, with `labels`.
    private func refusedHistory(in directory: URL, labels: String? = nil) async throws -> String {
        let database = directory.appending(path: "history.sqlite").path
        var arguments = ["record", "--db", database, "--rounds", "3"]
        if let labels {
            let config = directory.appending(path: "targets.yaml")
            try Data("""
                targets:
                  - name: ranker
                    kind: executor
                    url: 127.0.0.1:\(try freePort())
                    interval: 100ms
                    labels: \(labels)

                """.utf8).write(to: config)
            arguments += ["--config", config.path]
        } else {
            arguments += ["127.0.0.1:\(try freePort())", "--kind", "executor", "--name", "ranker", "--interval", "100ms"]
        }
        let record = try await runJinaHistory(arguments)
        #expect(record.status == 0, "\(record.stderr)")
        return database
    }

    @Test("db seed never writes into the default history: it needs --db, and a new path")
    func seedNeedsItsOwnDatabase() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["XDG_DATA_HOME": directory.path, "JINA_HISTORY_DB": ""]
        let seed = try await runJinaHistory(["db", "seed", "--span", "1m"], environment: environment)
        #expect(seed.status == 2 && seed.stderr.contains("give it with --db NEW.sqlite"), "\(seed.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "nothing created")
        let path = directory.appending(path: "seeded.sqlite").path
        let fresh = try await runJinaHistory(["db", "seed", "--db", path, "--targets", "1", "--span", "1m"])
        #expect(fresh.status == 0 && fresh.stdout.contains(" rounds of 1 target into "), "\(fresh.stdout)")
        let again = try await runJinaHistory(["db", "seed", "--db", path, "--span", "1m"])
        #expect(again.status == 2 && again.stderr.contains("exists; db seed writes a new database"))
    }

    @Test("record with a busy --metrics-listen port exits 2 in one line and creates no database")
    func busyMetricsPort() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let holder = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let busy = try #require(holder.localAddress?.port)
        let database = directory.appending(path: "new/history.sqlite")
        let result = try await runJinaHistory([
            "record", "127.0.0.1:1", "--db", database.path, "--rounds", "1", "--metrics-listen", "127.0.0.1:\(busy)",
        ])
        try await holder.close()
        #expect(result.status == 2)
        #expect(result.stderr == "jina-history: error: --metrics-listen 127.0.0.1:\(busy): another process already "
            + "listens there; give a free port, or stop that process\n", "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: database.deletingLastPathComponent().path),
                "nothing created: no database, no directory")
    }

    @Test("a window reaching past now ends now, with a note; its unknown time is not years")
    func futureWindowEndsNow() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await refusedHistory(in: directory)
        let before = wallNowMs()
        let result = try await runJinaHistory(
            ["report", "--db", database, "--since", "10m", "--until", "2030-01-01", "--format", "json"])
        #expect(result.status == 0)
        #expect(result.stderr.hasPrefix("jina-history: note: --until 2030-01-01 is after now; the window ends now"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let until = try #require(epochMs((json["window"] as? [String: Any])?["until"]))
        #expect(until >= before && until <= wallNowMs())
        let target = try #require((json["targets"] as? [[String: Any]])?.first)
        #expect((target["unknown_s"] as? Double ?? .infinity) < 600, "\(target["unknown_s"] ?? "-")")
    }

    @Test("labels from the configuration: in the text and JSON report, exports and --label selection")
    func labelsShown() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await refusedHistory(in: directory, labels: "{team: search, env: prod}")
        let target = try #require((try await jsonReport(database))["targets"] as? [[String: Any]]).first
        #expect(target?["labels"] as? [String: String] == ["team": "search", "env": "prod"])
        let text = try await runJinaHistory(["report", "--db", database])
        #expect(text.stdout.contains("\n  labels env=prod, team=search\n"), "\(text.stdout)")
        let selected = try await runJinaHistory(["report", "--db", database, "--label", "team=search", "--format", "json"])
        #expect(selected.stdout.contains("\"name\" : \"ranker\""))
        let other = try await runJinaHistory(["report", "--db", database, "--label", "team=ads"])
        #expect(other.status == 2 && other.stderr.contains("labels recorded: env=prod, team=search"), "\(other.stderr)")
        let csv = try await runJinaHistory(["export", "--what", "rounds", "--db", database])
        #expect(csv.stdout.split(separator: "\n").dropFirst().allSatisfy { $0.hasSuffix(",env=prod;team=search") },
                "\(csv.stdout)")
        let ndjson = try await runJinaHistory(["export", "--what", "transitions", "--format", "ndjson", "--db", database])
        let row = try #require(try JSONSerialization.jsonObject(with: Data(ndjson.stdout.utf8)) as? [String: Any])
        #expect(row["labels"] as? [String: String] == ["team": "search", "env": "prod"])
        try await validateAgainstSchema(ndjson.stdout, schema: "export.schema.json", ndjson: true)
    }

    @Test("Prometheus series carry a target's labels, renamed where they would clash or are not label names")
    func labelsInMetrics() throws {
        let target = Target(name: "search", kind: .flow, endpoint: try Endpoint(parsing: "127.0.0.1:1"),
                            labels: ["team": "search", "target": "x", "app.kubernetes.io/name": "ui", "2nd": "y\"z"])
        let metrics = RecorderMetrics(targets: [target], vantage: "eu-west", windowMs: 60_000, windowLabel: "1m",
                                      startedMs: 0)
        let exposition = metrics.exposition().split(separator: "\n")
        let line = try #require(exposition.first { $0.hasPrefix("jina_history_target_up{") })
        for label in [#"target="search""#, #"kind="flow""#, #"vantage="eu-west""#, #"_2nd="y\"z""#,
                      #"app_kubernetes_io_name="ui""#, #"label_target="x""#, #"team="search""#] {
            #expect(line.contains(label), "\(line) lacks \(label)")
        }
        let series = exposition.filter { $0.hasPrefix("jina_history_") }
        #expect(!series.isEmpty && series.allSatisfy { $0.contains(#"vantage="eu-west""#) },
                "every series names the vantage: \(series)")
    }

    @Test("exports say null where the report does; db stats speaks plainly")
    func exportNullsAndStats() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await refusedHistory(in: directory)
        let outages = try await runJinaHistory(["export", "--what", "outages", "--format", "ndjson", "--db", database])
        let row = try #require(try JSONSerialization.jsonObject(with: Data(outages.stdout.utf8)) as? [String: Any])
        #expect(row["exception"] is NSNull && row["deployment"] is NSNull, "\(outages.stdout)")
        let report = try #require((try await jsonReport(database))["targets"] as? [[String: Any]]).first
        let outage = try #require((report?["outages"] as? [[String: Any]])?.first)
        #expect(outage["exception"] is NSNull && outage["deployment"] is NSNull)
        let stats = try await runJinaHistory(["db", "stats", "--db", database, "--format", "json"])
        #expect(stats.stdout.contains("\"path\" : \"\(database)\""), "slashes unescaped: \(stats.stdout)")
        let text = try await runJinaHistory(["db", "stats", "--db", database])
        #expect(!text.stdout.contains("Zero") && text.stdout.contains(" WAL;"), "\(text.stdout)")
        #expect(ByteText.binary(0) == "0 B" && ByteText.binary(4_096) == "4.0 KiB" && ByteText.binary(1_572_864) == "1.5 MiB")
    }

    @Test("annotate --list shows ids; --delete keeps the window as deleted, which reports list and no longer count")
    func annotationsListedAndDeleted() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await refusedHistory(in: directory)
        let added = try await runJinaHistory(["annotate", "--maintenance", "--from", "1h", "--to", "2999-01-01",
                                              "--note", "typo in --to", "--db", database])
        // Its length is said, so a typo of years shows at once.
        #expect(added.status == 0 && added.stdout.range(of: #"\(\d{6}d\d*h?\) recorded for every target"#,
                                                        options: .regularExpression) != nil, "\(added.stdout)")
        #expect(try await jsonTarget(database)["down_s"] as? Double == 0, "the typo hides the down time")
        let list = try await runJinaHistory(["annotate", "--list", "--db", database])
        #expect(list.stdout.hasPrefix("#1  ") && list.stdout.contains("every target  typo in --to"), "\(list.stdout)")
        let deleted = try await runJinaHistory(["annotate", "--delete", "1", "--db", database])
        #expect(deleted.status == 0 && deleted.stdout.hasPrefix("deleted: #1"), "\(deleted.stdout)")
        let target = try await jsonTarget(database)
        #expect((target["down_s"] as? Double ?? 0) > 0 && target["maintenance_s"] as? Double == 0)
        #expect((target["maintenance"] as? [Any])?.isEmpty == true)
        let listed = try #require((target["deleted_maintenance"] as? [[String: Any]])?.first)
        #expect(listed["id"] as? Int == 1 && listed["note"] as? String == "typo in --to" && epochMs(listed["deleted_at"]) != nil)
        let text = try await runJinaHistory(["report", "--db", database])
        #expect(text.stdout.contains("maintenance deleted: 1"), "\(text.stdout)")
        let again = try await runJinaHistory(["annotate", "--delete", "1", "--db", database])
        #expect(again.status == 2 && again.stderr.contains("was deleted already"))
        let relisted = try await runJinaHistory(["annotate", "--list", "--db", database])
        #expect(relisted.stdout.contains("(deleted "), "\(relisted.stdout)")
    }

    @Test("help texts say what they mean; completions offer the values of --kind, --what, --format and ping's kind")
    func helpAndCompletions() async throws {
        let report = try await runJinaHistory(["report", "--help"])
        #expect(!report.stdout.contains("\\"), "no stray backslash: \(report.stdout)")
        #expect(report.stdout.contains("JSON and exports stay UTC"))
        let annotate = try await runJinaHistory(["annotate", "--help"])
        #expect(!annotate.stdout.contains("(default UTC). (default: UTC)"), "\(annotate.stdout)")
        let export = try await runJinaHistory(["export", "--help"])
        #expect(!export.stdout.contains("for printed times"), "export prints UTC: \(export.stdout)")
        let bash = try await runJinaHistory(["--generate-completion-script", "bash"])
        for values in [TargetKind.allCases.map(\.rawValue), ["rounds", "attempts", "transitions", "outages"], ["csv", "ndjson"]] {
            let offered = "-W '" + values.joined(separator: "'$'\\n''") + "'"
            #expect(bash.stdout.contains(offered), "bash completion lacks \(offered)")
        }
    }

    private func jsonTarget(_ database: String) async throws -> [String: Any] {
        try #require((try await jsonReport(database))["targets"] as? [[String: Any]]).first ?? [:]
    }
}

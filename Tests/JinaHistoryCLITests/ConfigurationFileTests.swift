import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite
import JinaHistoryTestSupport
import JinaHistoryFakes
import GRDB
import JinaProtos
import Testing

/// `record --config FILE`: what the file sets, the errors that name file, line and field, stable names, and a
/// dozen targets with one hung that does not hold up the others.
@Suite("configuration file", .serialized)
struct ConfigurationFileTests {
    private func write(_ text: String, in directory: URL) throws -> String {
        let path = directory.appending(path: "targets.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("defaults apply to every target, targets override them, labels merge, names default to KIND@URL")
    func parses() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data().write(to: directory.appending(path: "ca.pem"))
        let path = try write("""
            defaults:
              interval: 2s
              timeout: 500ms
              labels: {env: prod, team: search}
            targets:
              - name: search-flow
                url: grpc://127.0.0.1:50001
                retries: 2
                failure-threshold: 3
                labels: {team: ranking}
              - kind: executor
                url: 127.0.0.1:50002
                interval: 1s
            """, in: directory)
        let targets = try TargetConfigurationFile.load(path: path)
        #expect(targets.count == 2)
        let flow = targets[0]
        #expect(flow.target.name == "search-flow" && flow.target.kind == .flow)
        #expect(flow.policy.intervalMs == 2_000 && flow.policy.timeoutMs == 500)
        #expect(flow.policy.attempts == 3 && flow.policy.failureThreshold == 3)
        #expect(flow.target.labels == ["env": "prod", "team": "ranking"])
        let executor = targets[1]
        #expect(executor.target.name == "executor@grpc://127.0.0.1:50002")
        #expect(executor.policy.intervalMs == 1_000 && executor.policy.timeoutMs == 500)
    }

    @Test("notifications: defaults for every target, a target's own replace them; one url or a list")
    func notifications() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try write("""
            defaults:
              notify: https://hooks.example.com/services/T0/B0/SECRET
              notify-format: slack
              notify-repeat: 30m
            targets:
              - name: search
                url: grpc://127.0.0.1:50001
              - name: ranker
                url: grpc://127.0.0.1:50002
                notify: [http://127.0.0.1:9000/a, http://127.0.0.1:9000/b]
                notify-format: json
                on-transition: logger -t jina-history
            """, in: directory)
        let targets = try TargetConfigurationFile.load(path: path)
        #expect(targets[0].alerts == AlertPolicy(
            destinations: [.webhook(url: "https://hooks.example.com/services/T0/B0/SECRET", format: .slack)],
            repeatMs: 1_800_000))
        #expect(targets[1].alerts.destinations == [
            .webhook(url: "http://127.0.0.1:9000/a", format: .json), .webhook(url: "http://127.0.0.1:9000/b", format: .json),
            .command("logger -t jina-history"),
        ])
        #expect(targets[1].alerts.repeatMs == 1_800_000)
    }

    @Test("the documented example parses")
    func example() throws {
        let targets = try TargetConfigurationFile.load(
            path: TestPaths.repository.appending(path: "examples/targets.yaml").path)
        #expect(targets.map(\.target.name) == ["search-flow", "search-flow-http", "ranker", "public-gateway"])
        #expect(targets[0].policy.attempts == 2 && targets[0].target.labels == ["env": "staging", "team": "search"])
    }

    @Test("errors name the file, the line and the field", arguments: [
        ("targets:\n  - url: 127.0.0.1:1\n    intervall: 1s\n", ":3: unknown field 'intervall'"),
        ("targets:\n  - url: 127.0.0.1:1\n    interval: 5x\n", ":3: interval '5x' is not a duration"),
        ("targets:\n  - url: 127.0.0.1:1\n    interval: 1ms\n", "interval must be at least 10ms"),
        ("targets:\n  - url: 127.0.0.1:1\n    kind: pod\n", ":2: field 'kind' 'pod' is not a kind"),
        ("targets:\n  - url: 127.0.0.1:99999\n", ":2: url '127.0.0.1:99999': port"),
        ("targets:\n  - name: a\n    url: 127.0.0.1:1\n  - name: a\n    url: 127.0.0.1:2\n", ":4: target name 'a' is already used on line 2"),
        ("targets:\n  - kind: flow\n", ":2: a target needs a 'url'"),
        ("targets: []\n", "'targets' must be a non-empty list"),
        ("targets:\n  - url: [1, 2\n", "not valid YAML: line"),
        ("targets:\n  - url: 127.0.0.1:1\n    retries: many\n", ":3: field 'retries': 'many' is not a whole number"),
        ("targets:\n  - url: https://127.0.0.1:1\n    ca-cert: missing.pem\n", "missing.pem': no such readable file"),
        ("targets:\n  - url: 127.0.0.1:1\n    notify: ftp://u:secret@example.com/x\n",
         ":3: notify 'ftp://example.com/…' scheme 'ftp' is not http or https"),
        ("defaults:\n  notify-format: teams\ntargets:\n  - url: 127.0.0.1:1\n", ":2: notify-format 'teams' is not a format"),
        ("targets:\n  - url: 127.0.0.1:1\n    notify: {url: x}\n", ":3: field 'notify' must be a value or a list"),
        ("vantage: ''\ntargets:\n  - url: 127.0.0.1:1\n", ":1: 'vantage' must be 1 to 100 printable characters"),
    ])
    func errors(text: String, problem: String) throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try write(text, in: directory)
        #expect { try TargetConfigurationFile.load(path: path) } throws: { error in
            let message = (error as? ConfigurationFileError)?.message(flag: "--config") ?? ""
            return message.hasPrefix(path) && message.contains(problem) && !message.contains("\n")
        }
    }

    @Test("a target keeps its history when its interval changes; its labels and the file's vantage are stored")
    func stableNames() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "history.sqlite").path
        try await withFakeGateway(dryRun: { Jina_StatusProto() }) { port in
            for interval in ["100ms", "250ms"] {
                let path = try write("""
                    vantage: lab
                    targets:
                      - name: search
                        url: grpc://127.0.0.1:\(port)
                        interval: \(interval)
                        labels: {interval: "\(interval)"}
                    """, in: directory)
                // The flag wins over the file's vantage.
                let result = try await runJinaHistory(["record", "--config", path, "--db", database, "--rounds", "2"]
                    + (interval == "250ms" ? ["--vantage", "flagged"] : []))
                #expect(result.status == 0, "\(result.stderr)")
            }
        }
        let queue = try DatabaseQueue(path: database)
        let targets = try queue.read { db in try Row.fetchAll(db, sql: "SELECT name, labels FROM target") }
        #expect(targets.count == 1)
        #expect(targets.first?["labels"] as String? == #"{"interval":"250ms"}"#)
        let intervals = try await queue.read { db in
            try Int64.fetchAll(db, sql: "SELECT interval_ms FROM run_target ORDER BY run_id")
        }
        #expect(intervals == [100, 250])
        let vantages = try await queue.read { db in
            try String.fetchAll(db, sql: "SELECT vantage FROM recorder_run ORDER BY id")
        }
        #expect(vantages == ["lab", "flagged"])
        let rounds = try await queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM round") }
        #expect(rounds == 4)
    }

    @Test("a dozen targets, one hung: the eleven others keep their schedule")
    func dozenWithOneHung() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "history.sqlite").path
        let hung = try SilentTCPServer()
        let hungPort = hung.port
        let rounds = 8
        try await withFakeGateway(dryRun: { Jina_StatusProto() }) { port in
            let healthy = (1...11).map { index in
                "  - name: flow-\(index)\n    url: grpc://127.0.0.1:\(port)\n"
            }.joined()
            let path = try write("""
                defaults:
                  interval: 200ms
                  timeout: 1s
                targets:
                \(healthy)  - name: hung
                    url: grpc://127.0.0.1:\(hungPort)
                """, in: directory)
            let result = try await runJinaHistory(
                ["record", "--config", path, "--db", database, "--rounds", "\(rounds)"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        withExtendedLifetime(hung) {}
        let queue = try DatabaseQueue(path: database)
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT target.name AS name, sum(verdict = 1) AS up, sum(verdict = 2) AS skipped,
                       max(start_lag_ms) AS worst_lag
                FROM round JOIN target ON target.id = round.target_id GROUP BY target.name
                """)
        }
        #expect(rows.count == 12)
        for row in rows {
            let name: String = row["name"]
            if name == "hung" {
                // Each 1 s timeout overruns the next four 200 ms slots, which are recorded as skipped.
                #expect((row["skipped"] as Int) > 0, "\(row)")
                #expect((row["up"] as Int) == 0)
            } else {
                #expect((row["up"] as Int) == rounds, "\(row)")
                #expect((row["skipped"] as Int) == 0, "\(row)")
                #expect((row["worst_lag"] as Int64) < 100, "a healthy target started late: \(row)")
            }
        }
    }
}

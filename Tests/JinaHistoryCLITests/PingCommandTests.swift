import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite
import JinaHistoryTestSupport
import JinaHistoryFakes
import JinaProtos
import Synchronization
import Testing

/// `jina-history ping` against in-process fakes: exit codes, one line per attempt, the summary, and `--record`.
/// Parity with `jina ping` against a real Jina is in RealJinaTransportTests.
@Suite("ping command")
struct PingCommandTests {
    @Test("a ready flow: exit 0, a line with the latency, the summary; --record writes one up round, cleanly")
    func readyAndRecorded() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "history.sqlite").path
        let result = try await withFakeGateway(dryRun: { Jina_StatusProto() }) { port in
            try await runJinaHistory(["ping", "flow", "127.0.0.1:\(port)", "--record", "--db", database, "--name", "search"])
        }
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.contains("attempt 1/1: ready in") == true, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("ready: 1/1 attempts succeeded") && $0.contains("attempts lost 0% (0/1)") })
        let report = try await jsonReport(database)
        let target = try #require((report["targets"] as? [[String: Any]])?.first)
        #expect(target["name"] as? String == "search")
        #expect((target["rounds"] as? [String: Int])?["up"] == 1)
        #expect((target["gaps"] as? [[String: Any]])?.contains { $0["cause"] as? String == "recorder_crashed" } == false)
        let attempts = try await runJinaHistory(["export", "--what", "attempts", "--db", database])
        let row = attempts.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(row.hasPrefix("search,1,") && row.contains(",readiness,1,") && row.contains(",true,"),
                "the inline healthy attempt is exported: \(attempts.stdout)")
    }

    @Test("every attempt is made and counted: 3 attempts, one lost, 2 needed → exit 0, 33% lost")
    func attemptsAndLoss() async throws {
        let calls = Mutex(0)
        let result = try await withFakeGateway(dryRun: {
            var status = Jina_StatusProto()
            if calls.withLock({ $0 += 1; return $0 }) == 2 { status.code = .error }
            return status
        }) { port in
            try await runJinaHistory(["ping", "flow", "127.0.0.1:\(port)", "--attempts", "3",
                                      "--min-successful-attempts", "2", "--timeout", "1000"])
        }
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("attempt 2/3: not ready in"))
        #expect(result.stdout.contains("not_ready (code 1)"))
        #expect(result.stdout.contains("ready: 2/3 attempts succeeded (2 needed)"))
        #expect(result.stdout.contains("attempts lost 33% (1/3)"))
    }

    @Test("a flow url that is an Executor's: exit 1, the class, and the advice to ping it as an executor")
    func executorURL() async throws {
        let result = try await withFakeGateway(dryRun: nil) { port in
            try await runJinaHistory(["ping", "flow", "grpc://127.0.0.1:\(port)"])
        }
        #expect(result.status == 1)
        #expect(result.stdout.contains("unimplemented (code 12)"), "\(result.stdout)")
        #expect(result.stdout.contains("looks like an Executor's: it does not implement dry_run; check it with "
            + "`jina-history ping executor grpc://127.0.0.1:"), "\(result.stdout)")
        #expect(!result.stdout.contains("gateway of"), "no gateway wording for what is not a gateway: \(result.stdout)")
        #expect(result.stdout.contains("not ready: 0/1 attempts succeeded"))
    }

    @Test("a gateway that answers while its flow is not ready says so, as the outage's layer does")
    func gatewayAnswersFlowNotReady() async throws {
        let result = try await withFakeGateway(dryRun: {
            var status = Jina_StatusProto()
            status.code = .error
            return status
        }) { port in
            try await runJinaHistory(["ping", "flow", "grpc://127.0.0.1:\(port)"])
        }
        #expect(result.status == 1)
        #expect(result.stdout.contains(": answers in ") && result.stdout.contains("the flow behind it is not ready "
            + "(layer flow_not_ready)"), "\(result.stdout)")
    }

    @Test("a refused connection reads as one short line, no errno, and the gateway as unreachable")
    func refusedWording() async throws {
        let port = try freePort()
        let result = try await runJinaHistory(["ping", "flow", "grpc://127.0.0.1:\(port)"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("refused (code 14)  connection refused: nothing listens on 127.0.0.1:\(port)"),
                "\(result.stdout)")
        #expect(!result.stdout.contains("errno") && !result.stdout.contains("error set"), "\(result.stdout)")
        #expect(result.stdout.contains("(layer gateway_unreachable)"), "\(result.stdout)")
    }
}

import Foundation
import JinaHistoryCore
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistorySQLite
import JinaHistoryTestSupport
import JinaHistoryFakes
import JinaProtos
import Testing

/// Each error class the gRPC checker produces, against in-process fakes, with its raw code and its deadline.
@Suite("gRPC readiness checks")
struct GRPCReadinessCheckerTests {
    private let checker = GRPCReadinessChecker()

    private func target(_ kind: TargetKind, port: Int) -> Target {
        Target(kind: kind, endpoint: Endpoint(transport: .grpc, host: "127.0.0.1", port: port))
    }

    /// One round of one attempt, as the recorder runs it.
    private func runRound(_ target: Target, timeoutMs: Int64 = 2_000) async throws -> RoundRecord {
        let runner = RoundRunner(
            target: target, policy: try ProbePolicy(intervalMs: 10_000, timeoutMs: timeoutMs), checker: checker)
        return try #require(await runner.run(scheduledMs: 0, clock: RunClock(startMs: 0)))
    }

    @Test("dry run SUCCESS is ready")
    func dryRunSuccess() async throws {
        let outcome = try await withFakeGateway(dryRun: { Jina_StatusProto() }) { port in
            await checker.check(target(.flow, port: port), role: .readiness, timeout: .seconds(2))
        }
        #expect(outcome == CheckOutcome(rawCode: 0))
    }

    @Test("dry run ERROR is not_ready with Jina's exception, description and failing deployment")
    func dryRunError() async throws {
        let description = "failed to connect |Gateway: Communication error with deployment echo at address(es) "
            + "{'127.0.0.1:50805'}. Head or worker(s) may be down."
        let outcome = try await withFakeGateway(dryRun: {
            var status = Jina_StatusProto()
            status.code = .error
            status.description_p = description
            status.exception.name = "InternalNetworkError"
            return status
        }) { port in
            await checker.check(target(.deployment, port: port), role: .readiness, timeout: .seconds(2))
        }
        #expect(outcome.rawCode == 1)
        #expect(outcome.failure?.errorClass == .notReady)
        #expect(outcome.failure?.exception == "InternalNetworkError")
        #expect(outcome.failure?.message == description)
        #expect(outcome.failure?.deployment == "echo")
        #expect(outcome.failure?.addresses == "127.0.0.1:50805")
    }

    @Test("health NOT_SERVING is not_serving with the health status as raw code")
    func notServing() async throws {
        let outcome = try await withFakeGateway(dryRun: nil, health: { .notServing }) { port in
            await checker.check(target(.executor, port: port), role: .readiness, timeout: .seconds(2))
        }
        #expect(outcome.failure?.errorClass == .notServing)
        #expect(outcome.rawCode == 2)
    }

    @Test("a flow url on a server without dry run is unimplemented (gRPC 12); its gateway layer is up")
    func unimplemented() async throws {
        let round = try await withFakeGateway(dryRun: nil) { port in try await runRound(target(.flow, port: port)) }
        #expect(round.verdict == .down)
        #expect(round.attempts[0].failure?.errorClass == .unimplemented)
        #expect(round.attempts[0].rawCode == 12)
        #expect(round.attempts.last?.role == .gatewayLiveness)
        #expect(round.attempts.last?.succeeded == true)
    }

    @Test("nothing listening is refused (gRPC 14), quickly")
    func refused() async throws {
        let round = try await runRound(target(.executor, port: try freePort()))
        #expect(round.attempts[0].failure?.errorClass == .refused)
        #expect(round.attempts[0].rawCode == 14)
        #expect(round.durationUs < 1_000_000)
    }

    @Test("a silent server is a timeout at the deadline, never later")
    func silentServer() async throws {
        let server = try SilentTCPServer()
        let round = try await runRound(target(.flow, port: server.port), timeoutMs: 300)
        let attempt = round.attempts[0]
        #expect(attempt.failure?.errorClass == .timeout)
        #expect(attempt.durationUs >= 290_000 && attempt.durationUs <= 400_000, "took \(attempt.durationUs) us")
        // The gateway liveness check of this failed flow round has the same deadline and fails too.
        #expect(round.attempts.last?.role == .gatewayLiveness)
        #expect(round.attempts.last?.succeeded == false)
        withExtendedLifetime(server) {}
    }

    @Test("a hung dry run (an executor under SIGSTOP) is a timeout at the deadline")
    func hungDryRun() async throws {
        // The handler hangs until the round is over, then lets the server shut down.
        let (hang, release) = AsyncStream.makeStream(of: Void.self)
        let round = try await withFakeGateway(dryRun: {
            for await _ in hang {}
            return Jina_StatusProto()
        }) { port in
            defer { release.finish() }
            return try await runRound(target(.flow, port: port), timeoutMs: 250)
        }
        let attempt = round.attempts[0]
        #expect(attempt.failure?.errorClass == .timeout)
        #expect(attempt.durationUs >= 240_000 && attempt.durationUs <= 350_000, "took \(attempt.durationUs) us")
        #expect(round.attempts.last?.succeeded == true, "the gateway itself still answers its health check")
    }
}

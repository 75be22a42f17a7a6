import Foundation
import JinaHistoryCore
import JinaHistoryProbes
import JinaHistorySQLite
import JinaHistoryTestSupport
import JinaHistoryFakes
import Testing

/// Every transport and kind against a real Jina 3.34.0: ready, then hung (SIGSTOP: a timeout at the deadline,
/// never later), recovered (SIGCONT), then killed (kill -9: the class each kind reports), and for flows and bare
/// executors, recovered again by a new executor on the same port. At each step `jina-history ping` exits as
/// `jina ping` does, for the kinds `jina ping` knows (it has no `deployment`, and over WebSocket it can hang for
/// minutes on a hung executor, so there only our own exit is checked).
@Suite("real Jina, every transport", .serialized)
struct RealJinaTransportTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var kind: TargetKind
        var protocolName: String
        var scheme: String
        var killedClass: ErrorClass
        var killedCode: Int?
        var testDescription: String { "\(kind) over \(protocolName)" }
        /// Whether `jina ping` can be run beside us on this kind.
        var jinaPings: Bool { kind != .deployment }
    }

    static let cases: [Case] = [
        Case(kind: .flow, protocolName: "grpc", scheme: "grpc", killedClass: .notReady, killedCode: 1),
        Case(kind: .flow, protocolName: "http", scheme: "http", killedClass: .notReady, killedCode: 1),
        Case(kind: .flow, protocolName: "websocket", scheme: "ws", killedClass: .notReady, killedCode: 1011),
        Case(kind: .deployment, protocolName: "grpc", scheme: "grpc", killedClass: .notReady, killedCode: 1),
        Case(kind: .deployment, protocolName: "http", scheme: "http", killedClass: .httpStatus, killedCode: 500),
        Case(kind: .executor, protocolName: "grpc", scheme: "grpc", killedClass: .refused, killedCode: 14),
    ]

    static let timeoutMs: Int64 = 600

    @Test("up, hung, recovered, killed, recovered", arguments: cases)
    func lifecycle(_ testCase: Case) async throws {
        let port = try freePort()
        let executorPort = try freePort()
        var arguments = ["--kind", testCase.kind.rawValue, "--protocol", testCase.protocolName, "--port", "\(port)"]
        if testCase.kind == .flow { arguments += ["--executor-port", "\(executorPort)"] }
        let jina = try await JinaFixture.start(arguments)
        var replacement: JinaFixture?
        do {
            let url = "\(testCase.scheme)://127.0.0.1:\(port)"
            let target = Target(kind: testCase.kind, endpoint: try Endpoint(parsing: url))
            try target.requireSupported()
            try await waitUntilUp(target, what: "ready after start")
            try await expectParity(testCase, url, exit: 0, step: "up")

            kill(jina.executorPID, SIGSTOP)
            let hung = try await probe(target)
            try await expectParity(testCase, url, exit: 1, step: "hung", withJina: testCase.scheme != "ws")
            kill(jina.executorPID, SIGCONT)
            let attempt = try #require(hung.readinessAttempts.first)
            #expect(attempt.failure?.errorClass == .timeout, "\(hung)")
            #expect(attempt.durationUs >= Self.timeoutMs * 1_000 - 10_000, "gave up early: \(attempt.durationUs) us")
            #expect(attempt.durationUs <= Self.timeoutMs * 1_000 + 150_000, "gave up late: \(attempt.durationUs) us")
            try await waitUntilUp(target, what: "ready after SIGCONT")

            kill(jina.executorPID, SIGKILL)
            try await waitUntil("\(testCase.killedClass) after kill -9", timeout: .seconds(15)) {
                try await probe(target).firstFailure?.errorClass == testCase.killedClass
            }
            let killed = try await probe(target)
            #expect(killed.readinessAttempts.first?.rawCode == testCase.killedCode, "\(killed)")
            let killedPing = try await expectParity(testCase, url, exit: 1, step: "killed")
            if testCase.kind != .executor {
                // ping names the layer as the recorded outage does: the gateway answers (a Deployment's HTTP proxy
                // with 500), what is behind it is not ready.
                #expect(killedPing.ourOutput.contains("(layer flow_not_ready)"), "\(killedPing)")
            }
            if testCase.kind == .flow, testCase.scheme != "ws" {
                let gateway = try await pingBoth("gateway", url, timeoutMs: Self.timeoutMs)
                #expect(gateway.ourStatus == 0 && gateway.jinaStatus == 0,
                        "the gateway of a Flow whose executor is dead is alive for both: \(gateway)")
            }
            if testCase.kind == .flow {
                #expect(killed.firstFailure?.message.isEmpty == false, "Jina's description is kept")
                #expect(killed.attempts.last?.role == .gatewayLiveness && killed.attempts.last?.succeeded == true,
                        "the gateway stays up while its Flow is not ready")
            }

            if testCase.kind != .deployment {  // a Deployment's executor port is Jina's own choice
                replacement = try await JinaFixture.start([
                    "--kind", "executor", "--port", "\(testCase.kind == .executor ? port : executorPort)",
                ])
                try await waitUntilUp(target, what: "ready after a new executor")
                try await expectParity(testCase, url, exit: 0, step: "recovered")
            }
        } catch {
            Issue.record(error)
        }
        await replacement?.stop()
        await jina.stop()
    }

    /// `jina-history ping` exits `exit`, and so does `jina ping` where it can run.
    @discardableResult
    private func expectParity(_ testCase: Case, _ url: String, exit: Int32, step: String, withJina: Bool = true)
        async throws -> PingParity
    {
        let parity = try await pingBoth(
            testCase.kind.rawValue, url, timeoutMs: Self.timeoutMs, withJina: withJina && testCase.jinaPings)
        #expect(parity.ourStatus == exit, "\(step): \(parity)")
        if let jinaStatus = parity.jinaStatus { #expect(jinaStatus == parity.ourStatus, "\(step): \(parity)") }
        return parity
    }

    /// A Flow whose gateway speaks TLS, with the url a user gives it (`wss://` needs the certificate's name).
    struct TLSCase: Sendable, CustomTestStringConvertible {
        var protocolName: String
        var scheme: String
        var host: String
        var testDescription: String { "a \(protocolName) Flow over \(scheme)" }
    }

    static let tlsCases = [
        TLSCase(protocolName: "grpc", scheme: "grpcs", host: "127.0.0.1"),
        TLSCase(protocolName: "http", scheme: "https", host: "127.0.0.1"),
        TLSCase(protocolName: "websocket", scheme: "wss", host: "localhost"),
    ]

    @Test("TLS gateways: ready in well under a second with the default 3 s timeout (not 5 s), recorded up; a wrong CA is tls in one short line; a killed executor is not_ready behind a live gateway",
          arguments: tlsCases)
    func tlsGateway(_ testCase: TLSCase) async throws {
        let certificates = try TestCertificates.shared.get()
        let port = try freePort()
        let jina = try await JinaFixture.start([
            "--kind", "flow", "--protocol", testCase.protocolName, "--port", "\(port)",
            "--ssl-certfile", certificates.path("server.pem"), "--ssl-keyfile", certificates.path("server.key"),
        ])
        do {
            let url = "\(testCase.scheme)://\(testCase.host):\(port)"
            let trusted = TLSOptions(caCertificatePath: certificates.caCertificate)
            let flow = Target(kind: .flow, endpoint: try Endpoint(parsing: url), tls: trusted)
            try JinaReadinessChecker.requireProbeable(flow)
            try await waitUntilUp(flow, what: "ready over \(testCase.scheme)")
            // A bound, not a timing: NIOSSL's wait for a close_notify Jina never sends made every check 5 s.
            for kind in [TargetKind.flow, .gateway] {
                for _ in 0..<3 {
                    let round = try await probe(Target(kind: kind, endpoint: flow.endpoint, tls: trusted), timeoutMs: 3_000)
                    let attempt = try #require(round.readinessAttempts.first)
                    #expect(round.verdict == .up && attempt.durationUs < 1_000_000, "\(kind): \(round)")
                }
            }
            // The recorder with its defaults (3 s timeout) at a 1 s interval: every round up, no slot skipped.
            let directory = try TestPaths.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let database = directory.appending(path: "tls.sqlite").path
            let record = try await runJinaHistory([
                "record", url, "--ca-cert", certificates.caCertificate, "--db", database, "--interval", "1s",
                "--rounds", "3",
            ])
            #expect(record.status == 0, "\(record.stderr)")
            let recorded = try #require((try await jsonReport(database))["targets"] as? [[String: Any]]).first
            #expect(recorded?["rounds"] as? [String: Int] == ["total": 3, "up": 3, "down": 0, "skipped": 0, "flaky": 0],
                    "\(recorded ?? [:])")
            #expect(recorded?["availability"] as? Double == 1)

            // No --ca-cert: the system's trust store does not know the test CA.
            let untrusted = try await probe(Target(kind: .flow, endpoint: flow.endpoint), timeoutMs: 3_000)
            let failure = try #require(untrusted.firstFailure)
            #expect(failure.errorClass == .tls)
            #expect(failure.message.hasPrefix("TLS handshake failed: the server's certificate is not trusted"),
                    "\(failure.message)")
            #expect(!failure.message.contains("/") && !failure.message.contains("OPENSSL"), "\(failure.message)")

            kill(jina.executorPID, SIGKILL)
            try await waitUntil("not_ready over \(testCase.scheme) after kill -9", timeout: .seconds(15)) {
                try await probe(flow, timeoutMs: 3_000).firstFailure?.errorClass == .notReady
            }
            let killed = try await probe(flow, timeoutMs: 3_000)
            #expect(killed.attempts.last?.role == .gatewayLiveness && killed.attempts.last?.succeeded == true,
                    "the TLS gateway stays up while its Flow is not ready: \(killed)")
        } catch {
            Issue.record(error)
        }
        await jina.stop()
    }

    private func probe(_ target: Target, timeoutMs: Int64 = timeoutMs) async throws -> RoundRecord {
        let runner = RoundRunner(
            target: target, policy: try ProbePolicy(intervalMs: 60_000, timeoutMs: timeoutMs),
            checker: JinaReadinessChecker())
        return try #require(await runner.run(scheduledMs: 0, clock: RunClock()))
    }

    private func waitUntilUp(_ target: Target, what: String) async throws {
        try await waitUntil(what, timeout: .seconds(30), every: .milliseconds(100)) {
            try await probe(target).verdict == .up
        }
    }
}

import Foundation
import JinaHistoryCore
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistorySQLite
import JinaHistoryTestSupport
import JinaHistoryFakes
import JinaProtos
import Testing

/// One test per error class of docs/semantics.md §3 that a real Jina cannot produce on demand, on every
/// transport it applies to, against in-process fakes: the class, the raw code, and an attempt that ends by its
/// deadline. A real Jina covers not_ready, refused, timeout and http_status in RealJinaTransportTests.
@Suite("transport faults")
struct TransportFaultTests {
    static let timeoutMs: Int64 = 800
    /// An attempt may end this long after its deadline (scheduling, tearing down the client).
    static let marginUs: Int64 = 150_000

    private func target(_ kind: TargetKind, _ url: String, tls: TLSOptions = TLSOptions()) throws -> Target {
        let target = Target(kind: kind, endpoint: try Endpoint(parsing: url), tls: tls)
        try JinaReadinessChecker.requireProbeable(target)
        return target
    }

    /// The first readiness attempt of one round, checked to have ended by its deadline.
    private func attempt(_ target: Target) async throws -> AttemptRecord {
        let runner = RoundRunner(
            target: target, policy: try ProbePolicy(intervalMs: 10_000, timeoutMs: Self.timeoutMs),
            checker: JinaReadinessChecker())
        let round = try #require(await runner.run(scheduledMs: 0, clock: RunClock()))
        let first = try #require(round.readinessAttempts.first)
        #expect(first.durationUs <= Self.timeoutMs * 1_000 + Self.marginUs, "took \(first.durationUs) us")
        return first
    }

    @Test("nothing listening is refused on every transport, in one short line", arguments: ["grpc", "http", "ws", "grpcs"])
    func refused(scheme: String) async throws {
        let port = try freePort()
        let first = try await attempt(try target(.flow, "\(scheme)://127.0.0.1:\(port)"))
        #expect(first.failure?.errorClass == .refused, "\(first)")
        #expect(first.failure?.message == "connection refused: nothing listens on 127.0.0.1:\(port)", "\(first)")
        #expect(first.durationUs < 500_000, "a refusal is reported at once")
    }

    @Test("a silent server is a timeout at the deadline over HTTP and WebSocket", arguments: ["http", "ws"])
    func silent(scheme: String) async throws {
        let server = try SilentTCPServer()
        let first = try await attempt(try target(.flow, "\(scheme)://127.0.0.1:\(server.port)"))
        #expect(first.failure?.errorClass == .timeout, "\(first)")
        #expect(first.durationUs >= Self.timeoutMs * 1_000 - 10_000, "gave up early: \(first.durationUs) us")
        withExtendedLifetime(server) {}
    }

    @Test("garbage bytes are a protocol error", arguments: ["grpc", "http", "ws"])
    func garbage(scheme: String) async throws {
        let first = try await withFakeWireServer(.garbage) { port in
            try await attempt(try target(.flow, "\(scheme)://127.0.0.1:\(port)"))
        }
        #expect(first.failure?.errorClass == .protocol, "\(first)")
    }

    @Test("an HTTP/1 server on a gRPC url is a protocol error")
    func http1OnGRPC() async throws {
        let first = try await withFakeWireServer(.http(status: 404, body: "not found")) { port in
            try await attempt(try target(.flow, "grpc://127.0.0.1:\(port)"))
        }
        #expect(first.failure?.errorClass == .protocol, "\(first)")
    }

    @Test("HTTP 500 with a text body is http_status 500 with the body kept")
    func http500() async throws {
        let first = try await withFakeWireServer(.http(status: 500, body: "Internal Server Error")) { port in
            try await attempt(try target(.deployment, "http://127.0.0.1:\(port)"))
        }
        #expect(first.failure?.errorClass == .httpStatus)
        #expect(first.rawCode == 500)
        #expect(first.failure?.message.contains("Internal Server Error") == true, "\(first)")
    }

    @Test("a WebSocket closed with 1008 is ws_close 1008 with its reason")
    func webSocketPolicyClose() async throws {
        let first = try await withFakeWireServer(.webSocket(frame: nil, code: 1008, reason: "policy")) { port in
            try await attempt(try target(.flow, "ws://127.0.0.1:\(port)"))
        }
        #expect(first.failure?.errorClass == .wsClose)
        #expect(first.rawCode == 1008)
        #expect(first.failure?.message.contains("policy") == true, "\(first)")
    }

    // MARK: - TLS

    private var certificates: TestCertificates { get throws { try TestCertificates.shared.get() } }

    @Test("an untrusted certificate is tls over https, wss and grpcs", arguments: ["https", "wss", "grpcs"])
    func untrusted(scheme: String) async throws {
        let certificates = try certificates
        let first = try await withTLSServer(scheme: scheme, trusted: false) { port in
            try await attempt(try target(.flow, "\(scheme)://\(scheme == "wss" ? "localhost" : "127.0.0.1"):\(port)"))
        }
        #expect(first.failure?.errorClass == .tls, "\(first)")
        // What the client found, in words; never BoringSSL's text with a source path of the build machine.
        #expect(first.failure?.message.hasPrefix("TLS handshake failed: the server's certificate is not trusted") == true,
                "\(first)")
        #expect(first.failure?.message.contains("/") == false, "\(first)")
        withExtendedLifetime(certificates) {}
    }

    @Test("a plaintext url on a TLS port, and a TLS url on a plaintext port, say so", arguments: ["grpc", "http"])
    func wrongScheme(scheme: String) async throws {
        let plainOnTLS = try await withTLSServer(scheme: scheme == "grpc" ? "grpcs" : "https", trusted: true) { port in
            try await attempt(try target(.flow, "\(scheme)://127.0.0.1:\(port)"))
        }
        #expect(plainOnTLS.failure?.errorClass == .protocol, "\(plainOnTLS)")
        let tlsOnPlain = try await withFakeWireServer(.http(status: 200, body: #"{"code": 0}"#)) { port in
            try await attempt(try target(.flow, "\(scheme)s://127.0.0.1:\(port)"))
        }
        #expect(tlsOnPlain.failure?.errorClass == .tls, "\(tlsOnPlain)")
        #expect(tlsOnPlain.failure?.message.contains("does not speak TLS on this port") == true, "\(tlsOnPlain)")
    }

    @Test("--ca-cert makes a server signed by that CA ready over https, wss and grpcs",
          arguments: ["https", "wss", "grpcs"])
    func trustedByCA(scheme: String) async throws {
        let tls = TLSOptions(caCertificatePath: try certificates.caCertificate)
        let first = try await withTLSServer(scheme: scheme, trusted: true) { port in
            // The WebSocket client needs a host name for SNI; the test certificate names localhost too.
            try await attempt(try target(.flow, "\(scheme)://\(scheme == "wss" ? "localhost" : "127.0.0.1"):\(port)", tls: tls))
        }
        #expect(first.succeeded, "\(first)")
    }

    @Test("--insecure accepts an untrusted certificate", arguments: ["https", "grpcs"])
    func insecure(scheme: String) async throws {
        let first = try await withTLSServer(scheme: scheme, trusted: false) { port in
            try await attempt(try target(.flow, "\(scheme)://127.0.0.1:\(port)", tls: TLSOptions(skipsVerification: true)))
        }
        #expect(first.succeeded, "\(first)")
    }

    @Test("a server that demands a client certificate: tls without one, ready with --client-cert")
    func mutualTLS() async throws {
        let certificates = try certificates
        let context = try certificates.serverContext(requireClientCertificate: true)
        let (without, with) = try await withFakeWireServer(.http(status: 200, body: "{}"), tls: context) { port in
            let url = "https://127.0.0.1:\(port)"
            let trustOnly = TLSOptions(caCertificatePath: certificates.caCertificate)
            let withClient = TLSOptions(caCertificatePath: certificates.caCertificate,
                                        clientCertificatePath: certificates.clientCertificate,
                                        clientKeyPath: certificates.clientKey)
            return (try await attempt(try target(.gateway, url, tls: trustOnly)),
                    try await attempt(try target(.gateway, url, tls: withClient)))
        }
        #expect(without.failure?.errorClass == .tls, "\(without)")
        #expect(without.failure?.message.contains("client certificate") == true, "\(without)")
        #expect(with.succeeded, "\(with)")
    }

    /// A TLS server answering a flow's readiness check with success: Jina's dry run over gRPC, `{"code": 0}`
    /// over HTTP, an empty status frame and close 1000 over WebSocket.
    private func withTLSServer<T: Sendable>(scheme: String, trusted: Bool, _ body: @Sendable (Int) async throws -> T)
        async throws -> T
    {
        let certificates = try certificates
        let name = trusted ? "server" : "untrusted"
        switch scheme {
        case "grpcs":
            return try await withFakeGateway(
                dryRun: { Jina_StatusProto() },
                tls: (certificates.path("\(name).pem"), certificates.path("\(name).key")), body)
        case "wss":
            return try await withFakeWireServer(
                .webSocket(frame: "{}", code: 1000, reason: ""), tls: try certificates.serverContext(trusted: trusted),
                body)
        default:
            return try await withFakeWireServer(
                .http(status: 200, body: #"{"code": 0}"#), tls: try certificates.serverContext(trusted: trusted), body)
        }
    }
}

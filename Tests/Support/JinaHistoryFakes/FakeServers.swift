import Foundation
import JinaHistoryTestSupport
import GRPCCore
import GRPCNIOTransportHTTP2
public import JinaProtos
import SwiftProtobuf

/// An in-process gRPC server with Jina's dry run and gRPC health, answering as told, for faults a real Jina
/// cannot produce on demand. Runs for the duration of `body` on a free loopback port; over TLS with the PEM
/// certificate and key of `tls` when given.
public func withFakeGateway<T: Sendable>(
    dryRun: (@Sendable () async throws -> Jina_StatusProto)?,
    health: @escaping @Sendable () async throws -> Grpc_Health_V1_HealthCheckResponse.ServingStatus = { .serving },
    tls: (certificate: String, key: String)? = nil,
    _ body: @Sendable (Int) async throws -> T
) async throws -> T {
    var services: [any RegistrableRPCService] = [FakeHealth(status: health)]
    if let dryRun { services.append(FakeDryRun(answer: dryRun)) }
    let security: HTTP2ServerTransport.Posix.TransportSecurity = tls.map {
        .tls(certificateChain: [.file(path: $0.certificate, format: .pem)], privateKey: .file(path: $0.key, format: .pem))
    } ?? .plaintext
    return try await withGRPCServer(
        transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: security),
        services: services
    ) { server in
        guard let port = try await server.listeningAddress?.ipv4?.port else {
            throw ConditionTimedOut(description: "fake gateway did not listen")
        }
        return try await body(port)
    }
}

private struct FakeHealth: Grpc_Health_V1_Health.SimpleServiceProtocol {
    let status: @Sendable () async throws -> Grpc_Health_V1_HealthCheckResponse.ServingStatus

    func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws
        -> Grpc_Health_V1_HealthCheckResponse
    {
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = try await status()
        return response
    }
}

private struct FakeDryRun: Jina_JinaGatewayDryRunRPC.SimpleServiceProtocol {
    let answer: @Sendable () async throws -> Jina_StatusProto

    func dry_run(request: Google_Protobuf_Empty, context: ServerContext) async throws -> Jina_StatusProto {
        try await answer()
    }
}

/// A TCP port that completes the handshake (the kernel's backlog) and then never says a word.
public final class SilentTCPServer {
    public let port: Int
    private let fd: Int32

    public init() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = self.fd
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard listening else { throw ConditionTimedOut(description: "silent server could not listen") }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}

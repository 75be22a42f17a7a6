import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import JinaProtos
import SwiftProtobuf

/// Readiness over gRPC (docs/semantics.md §1): flows and deployments by `jina.JinaGatewayDryRunRPC/dry_run`
/// (ready iff the RPC is OK **and** the status code is SUCCESS), executors and gateways by
/// `grpc.health.v1.Health/Check` (ready iff SERVING). Each call opens its own connection, as `jina ping` does, so
/// every attempt is independent evidence and a restarted server is seen at once, with no reconnect back-off.
/// Plaintext calls (`grpc://`) go straight over SwiftNIO (``GRPCPlaintextCall``: a third less of the recorder's
/// CPU per round than grpc-swift's client); TLS ones (`grpcs://`) through grpc-swift.
public struct GRPCReadinessChecker: ReadinessChecker {
    /// Creates a checker.
    public init() {}

    /// Makes one call with `timeout` as its gRPC deadline.
    public func check(_ target: Target, role: AttemptRecord.Role, timeout: Duration) async -> CheckOutcome {
        var options = CallOptions.defaults
        options.timeout = timeout
        options.waitForReady = false  // a refused connection is an answer, not a reason to wait for the deadline
        let endpoint = target.endpoint
        if !endpoint.hostIsIPAddress, !endpoint.host.contains(":"),
            let reason = await HostNameResolution.failure(host: endpoint.host, port: endpoint.port)
        {
            return CheckOutcome(failure: FailureDetail(.dns, message: reason))
        }
        let checksReadiness = role == .readiness && (target.kind == .flow || target.kind == .deployment)
        if !endpoint.secure {
            let method = checksReadiness
                ? Jina_JinaGatewayDryRunRPC.Method.dry_run.descriptor : Grpc_Health_V1_Health.Method.Check.descriptor
            let request = checksReadiness
                ? try? Google_Protobuf_Empty().serializedBytes() as [UInt8]
                : try? Grpc_Health_V1_HealthCheckRequest().serializedBytes() as [UInt8]
            let call = GRPCPlaintextCall(
                host: endpoint.host, port: endpoint.port, path: "/\(method.fullyQualifiedMethod)")
            return Self.outcome(of: await call.run(request ?? [], timeout: timeout), dryRun: checksReadiness)
        }
        do {
            return try await withGRPCClient(transport: try Self.transport(to: target)) { client in
                if checksReadiness { return try await Self.dryRun(client, options: options) }
                return try await Self.healthCheck(client, options: options)
            }
        } catch {
            return Self.classify(error)
        }
    }

    private static func transport(to target: Target) throws -> HTTP2ClientTransport.Posix {
        let endpoint = target.endpoint
        let host = endpoint.host
        let resolvable: any ResolvableTarget =
            if host.contains(":") { .ipv6(address: host, port: endpoint.port) }
            else if endpoint.hostIsIPAddress { .ipv4(address: host, port: endpoint.port) }
            else { .dns(host: host, port: endpoint.port) }
        return try .http2NIOPosix(
            target: resolvable,
            transportSecurity: endpoint.secure ? TLSClientConfiguration.grpc(target.tls) : .plaintext)
    }

    private static func dryRun(_ client: GRPCClient<HTTP2ClientTransport.Posix>, options: CallOptions)
        async throws -> CheckOutcome
    {
        let status = try await Jina_JinaGatewayDryRunRPC.Client(wrapping: client)
            .dry_run(Google_Protobuf_Empty(), options: options)
        return outcome(of: status)
    }

    private static func outcome(of status: Jina_StatusProto) -> CheckOutcome {
        guard status.code == .success else {
            return CheckOutcome(
                rawCode: status.code.rawValue,
                failure: FailureDetail(.notReady, message: status.description_p, exception: status.exception.name))
        }
        return CheckOutcome(rawCode: status.code.rawValue)
    }

    private static func outcome(of answer: Grpc_Health_V1_HealthCheckResponse) -> CheckOutcome {
        guard answer.status == .serving else {
            return CheckOutcome(
                rawCode: answer.status.rawValue,
                failure: FailureDetail(.notServing, message: "health check answered \(answer.status)"))
        }
        return CheckOutcome(rawCode: answer.status.rawValue)
    }

    /// The outcome of a plaintext call: its answer read as a dry run's status or a health status, or its failure
    /// classed as grpc-swift's errors are (`classify`), with the same gRPC codes.
    static func outcome(of result: Result<[UInt8], GRPCPlaintextCall.Failure>, dryRun: Bool) -> CheckOutcome {
        switch result {
        case .success(let bytes):
            do {
                return dryRun
                    ? outcome(of: try Jina_StatusProto(serializedBytes: bytes))
                    : outcome(of: try Grpc_Health_V1_HealthCheckResponse(serializedBytes: bytes))
            } catch {
                return CheckOutcome(
                    failure: FailureDetail(.protocol, message: "the answer is not the expected message: \(error)"))
            }
        case .failure(let failure):
            let unavailable = RPCError.Code.unavailable.rawValue
            let (errorClass, code, text): (ErrorClass, Int, String) =
                switch failure {
                case .refused(let text): (.refused, unavailable, text)
                case .connectTimeout(let text): (.connectTimeout, unavailable, text)
                case .timeout(let text): (.timeout, RPCError.Code.deadlineExceeded.rawValue, text)
                case .protocolViolation(let text): (.protocol, unavailable, text)
                case .transport(let text): (.rpcError, unavailable, text)
                case .status(RPCError.Code.deadlineExceeded.rawValue, let text):
                    (.timeout, RPCError.Code.deadlineExceeded.rawValue, text)
                case .status(RPCError.Code.unimplemented.rawValue, let text):
                    (.unimplemented, RPCError.Code.unimplemented.rawValue, text)
                case .status(let code, let text): (.rpcError, code, text)
                }
            return CheckOutcome(rawCode: code, failure: FailureDetail(errorClass, message: text))
        }
    }

    private static func healthCheck(_ client: GRPCClient<HTTP2ClientTransport.Posix>, options: CallOptions)
        async throws -> CheckOutcome
    {
        outcome(of: try await Grpc_Health_V1_Health.Client(wrapping: client)
            .check(Grpc_Health_V1_HealthCheckRequest(), options: options))
    }

    /// Maps a gRPC failure to an error class, keeping the status code and the full text (cause included).
    static func classify(_ error: any Error) -> CheckOutcome {
        guard let rpcError = error as? RPCError else {
            return CheckOutcome(failure: FailureDetail(.protocol, message: String(describing: error)))
        }
        let text = rpcError.cause.map { "\(rpcError.message) (cause: \($0))" } ?? rpcError.message
        let lowered = text.lowercased()
        let errorClass: ErrorClass
        switch rpcError.code {
        case .deadlineExceeded: errorClass = .timeout
        case .unimplemented: errorClass = .unimplemented
        case .unavailable where lowered.contains("connection refused") || lowered.contains("errno: 111"):
            errorClass = .refused
        case .unavailable where lowered.contains("name resolution") || lowered.contains("resolve"):
            errorClass = .dns
        case .unavailable where lowered.contains("connect timeout") || lowered.contains("connecttimeout"):
            errorClass = .connectTimeout
        case .unavailable where ["ssl", "tls", "certificate", "handshake"].contains(where: lowered.contains):
            errorClass = .tls
        case .unavailable where ["http1", "http/1", "preface", "unabletoparseframe"].contains(where: lowered.contains):
            errorClass = .protocol
        default: errorClass = .rpcError
        }
        return CheckOutcome(rawCode: rpcError.code.rawValue, failure: FailureDetail(errorClass, message: text))
    }
}

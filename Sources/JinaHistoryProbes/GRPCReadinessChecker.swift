import Foundation
import GRPCCore
import JinaProtos
import SwiftProtobuf
public import JinaHistoryCore

/// Readiness over gRPC (docs/semantics.md §1): flows and deployments by `jina.JinaGatewayDryRunRPC/dry_run`
/// (ready iff the RPC is OK **and** the status code is SUCCESS), executors and gateways by
/// `grpc.health.v1.Health/Check` (ready iff SERVING). Each call opens its own connection, as `jina ping` does, so
/// every attempt is independent evidence and a restarted server is seen at once, with no reconnect back-off.
/// Calls go straight over SwiftNIO (``GRPCUnaryCall``), over plaintext or TLS.
public struct GRPCReadinessChecker: ReadinessChecker {
    /// Creates a checker.
    public init() {}

    /// Makes one call with `timeout` as its gRPC deadline.
    public func check(_ target: Target, role: AttemptRecord.Role, timeout: Duration) async -> CheckOutcome {
        let endpoint = target.endpoint
        if !endpoint.hostIsIPAddress, !endpoint.host.contains(":"),
            let reason = await HostNameResolution.failure(host: endpoint.host, port: endpoint.port)
        {
            return CheckOutcome(failure: FailureDetail(.dns, message: reason))
        }
        let checksReadiness = role == .readiness && (target.kind == .flow || target.kind == .deployment)
        let method = checksReadiness
            ? Jina_JinaGatewayDryRunRPC.Method.dry_run.descriptor : Grpc_Health_V1_Health.Method.Check.descriptor
        let request = checksReadiness
            ? try? Google_Protobuf_Empty().serializedBytes() as [UInt8]
            : try? Grpc_Health_V1_HealthCheckRequest().serializedBytes() as [UInt8]
        var call = GRPCUnaryCall(host: endpoint.host, port: endpoint.port, path: "/\(method.fullyQualifiedMethod)")
        if endpoint.secure {
            do {
                call.tls = try TLSClientConfiguration.nioSSL(target.tls)
            } catch {
                return CheckOutcome(failure: FailureDetail(.tls, message: "cannot load the TLS files: \(error)"))
            }
        }
        return Self.outcome(of: await call.run(request ?? [], timeout: timeout), dryRun: checksReadiness,
                            endpoint: endpoint)
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

    /// The outcome of a call: its answer read as a dry run's status or a health status, or its failure classed
    /// with the gRPC code a gRPC client would give it (UNAVAILABLE for a failed connection, as grpcio says).
    static func outcome(of result: Result<[UInt8], GRPCUnaryCall.Failure>, dryRun: Bool, endpoint: Endpoint)
        -> CheckOutcome
    {
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
            let deadlineExceeded = RPCError.Code.deadlineExceeded.rawValue
            let unimplemented = RPCError.Code.unimplemented.rawValue
            return switch failure {
            case .network(let error):
                CheckOutcome(rawCode: unavailable, failure: NetworkFailure.detail(error, endpoint: endpoint))
            case .connectTimeout(let text):
                CheckOutcome(rawCode: unavailable, failure: FailureDetail(.connectTimeout, message: text))
            case .timeout(let text):
                CheckOutcome(rawCode: deadlineExceeded, failure: FailureDetail(.timeout, message: text))
            case .protocolViolation(let text):
                CheckOutcome(rawCode: unavailable, failure: FailureDetail(.protocol, message: text))
            case .status(deadlineExceeded, let text):
                CheckOutcome(rawCode: deadlineExceeded, failure: FailureDetail(.timeout, message: text))
            case .status(unimplemented, let text):
                CheckOutcome(rawCode: unimplemented, failure: FailureDetail(.unimplemented, message: text))
            case .status(let code, let text):
                CheckOutcome(rawCode: code, failure: FailureDetail(.rpcError, message: text))
            }
        }
    }
}

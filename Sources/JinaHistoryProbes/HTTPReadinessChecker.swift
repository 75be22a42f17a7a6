import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
public import JinaHistoryCore

/// Readiness over HTTP (docs/semantics.md §1): a flow by `GET /dry_run`, ready iff 2xx **and** Jina's JSON
/// `code` is 0 or `"SUCCESS"` (or absent); a deployment or a gateway by `GET /`, ready iff 2xx. Each call opens
/// its own connection, follows no redirect, reads at most 1 MiB of body, and reports a refused connection at
/// once instead of retrying it until the deadline.
public struct HTTPReadinessChecker: ReadinessChecker {
    /// Bodies beyond this are a protocol error: no gateway answers a dry run with megabytes.
    static let maximumBodyBytes = 1 << 20

    /// Creates a checker.
    public init() {}

    /// Makes one request with `timeout` as its deadline.
    public func check(_ target: Target, role: AttemptRecord.Role, timeout: Duration) async -> CheckOutcome {
        let dryRun = role == .readiness && target.kind == .flow
        let deadline = TimeAmount.nanoseconds(timeout.wholeMicroseconds * 1_000)
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: deadline, read: deadline))
        configuration.connectionPool.retryConnectionEstablishment = false
        let endpoint = target.endpoint
        if endpoint.secure {
            do {
                configuration.tlsConfiguration = try TLSClientConfiguration.nioSSL(target.tls)
            } catch {
                return CheckOutcome(failure: FailureDetail(.tls, message: "cannot load the TLS files: \(error)"))
            }
        }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let outcome: CheckOutcome
        do {
            let scheme = endpoint.secure ? "https" : "http"
            let request = HTTPClientRequest(
                url: "\(scheme)://\(endpoint.urlHost):\(endpoint.port)\(dryRun ? "/dry_run" : "/")")
            let response = try await client.execute(request, timeout: deadline)
            let body = try await response.body.collect(upTo: Self.maximumBodyBytes)
            outcome = Self.judge(status: Int(response.status.code), body: Data(body.readableBytesView), dryRun: dryRun)
        } catch {
            outcome = Self.classify(error, endpoint: endpoint)
        }
        try? await client.shutdown()
        return outcome
    }

    /// Reads an HTTP answer: the status first, then, for a dry run, Jina's JSON status.
    static func judge(status: Int, body: Data, dryRun: Bool) -> CheckOutcome {
        guard (200..<300).contains(status) else {
            let text = String(decoding: body.prefix(500), as: UTF8.self)
            return CheckOutcome(
                rawCode: status, failure: FailureDetail(.httpStatus, message: "HTTP \(status): \(text)"))
        }
        guard dryRun else { return CheckOutcome(rawCode: status) }
        guard let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            return CheckOutcome(
                rawCode: status,
                failure: FailureDetail(.protocol, message: "dry run answered HTTP \(status) without a JSON object"))
        }
        return JinaStatusJSON(json).outcome(okCode: status)
    }

    /// Maps a client error to an error class and a short message.
    static func classify(_ error: any Error, endpoint: Endpoint) -> CheckOutcome {
        guard !(error is NIOTooManyBytesError) else {
            return CheckOutcome(failure: FailureDetail(.protocol, message: "body larger than \(Self.maximumBodyBytes) bytes"))
        }
        return CheckOutcome(failure: NetworkFailure.detail(error, endpoint: endpoint))
    }
}

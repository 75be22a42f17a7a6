/// A probed service: its stable name, what it is, and where it listens.
public struct Target: Hashable, Codable, Sendable {
    /// Stable identity in the history database; defaults to the canonical url.
    public var name: String
    /// Picks the readiness check.
    public var kind: TargetKind
    /// Where and how to reach it.
    public var endpoint: Endpoint
    /// Certificates for a TLS endpoint; never stored in the history.
    public var tls: TLSOptions
    /// Free-form labels from a config file (team, environment), stored with the target.
    public var labels: [String: String]

    /// Creates a target; `name` defaults to the endpoint's canonical url.
    public init(name: String? = nil, kind: TargetKind, endpoint: Endpoint, tls: TLSOptions = TLSOptions(),
                labels: [String: String] = [:]) {
        self.name = name ?? endpoint.description
        self.kind = kind
        self.endpoint = endpoint
        self.tls = tls
        self.labels = labels
    }

    /// Refuses the combinations Jina does not serve (executors answer readiness over gRPC only, and Jina has no
    /// WebSocket Deployment) and TLS options on a url without TLS.
    ///
    /// - throws: ``JinaHistoryError`` naming the combination and what to use instead.
    public func requireSupported() throws {
        if !endpoint.secure, tls != TLSOptions() {
            throw JinaHistoryError.unsupportedTarget(name: name, .certificatesWithoutTLS)
        }
        try tls.requireComplete()
        switch (kind, endpoint.transport) {
        case (.executor, .http), (.executor, .websocket):
            throw JinaHistoryError.unsupportedTarget(
                name: name, .executorOverGRPCOnly(host: endpoint.host, port: endpoint.port))
        case (.deployment, .websocket):
            throw JinaHistoryError.unsupportedTarget(name: name, .noWebSocketDeployment)
        default:
            return
        }
    }
}

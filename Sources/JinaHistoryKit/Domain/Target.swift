/// A probed service: its stable name, what it is, and where it listens.
public struct Target: Hashable, Codable, Sendable {
    /// Stable identity in the history database; defaults to the canonical url.
    public var name: String
    /// Picks the readiness check.
    public var kind: TargetKind
    /// Where and how to reach it.
    public var endpoint: Endpoint

    /// Creates a target; `name` defaults to the endpoint's canonical url.
    public init(name: String? = nil, kind: TargetKind, endpoint: Endpoint) {
        self.name = name ?? endpoint.description
        self.kind = kind
        self.endpoint = endpoint
    }
}

/// What a target is, which picks its readiness check (docs/semantics.md §1).
public enum TargetKind: String, Codable, Sendable, CaseIterable {
    /// A Flow's gateway: ready iff its dry run succeeds.
    case flow
    /// A Deployment's gateway: ready iff its dry run succeeds.
    case deployment
    /// A bare executor: ready iff gRPC health says SERVING.
    case executor
    /// A gateway's own liveness; stays up while its executors are dead.
    case gateway

    /// Parses a kind, naming `source` (a flag, an argument, a config field) when the text is none.
    ///
    /// - throws: ``JinaHistoryError`` listing the kinds.
    public init(parsing text: String, source: String) throws {
        guard let kind = TargetKind(rawValue: text.lowercased()) else {
            throw JinaHistoryError.badInput(
                "\(source) '\(text)' is not a kind; use flow, deployment, executor or gateway")
        }
        self = kind
    }

    /// Whether a failed round also asks the gateway's liveness, to tell which layer failed.
    public var checksGatewayLayer: Bool { self == .flow || self == .deployment }
}

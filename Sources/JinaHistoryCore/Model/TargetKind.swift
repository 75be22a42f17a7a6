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

    /// Parses a kind, in any case.
    ///
    /// - throws: ``JinaHistoryError/invalid(_:value:_:)`` for text that is not a kind.
    public init(parsing text: String) throws {
        guard let kind = TargetKind(rawValue: text.lowercased()) else {
            throw JinaHistoryError.invalid(.kind, value: text, .notAKind)
        }
        self = kind
    }

    /// Whether a failed round also asks the gateway's liveness, to tell which layer failed.
    public var checksGatewayLayer: Bool { self == .flow || self == .deployment }
}

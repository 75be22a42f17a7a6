/// The facts of one notification (docs/notifications.md): a confirmed transition of a target, or a reminder of
/// the outage it opened. Renderers turn it into a webhook body, a chat message or a command's environment.
public struct TransitionNotice: Hashable, Sendable {
    /// What it tells.
    public enum Event: String, Hashable, Sendable, CaseIterable {
        /// The target was confirmed down (from up, or at a recorder's start).
        case down
        /// The target is up again after an outage.
        case up
        /// The outage still lasts (`--notify-repeat`).
        case reminder
        /// A sample from `notify-test`; no transition behind it.
        case test
    }

    /// What it tells.
    public var event: Event
    /// The target's name, kind and url.
    public var target: String
    /// The target's kind.
    public var kind: TargetKind
    /// The target's url.
    public var url: String
    /// State before the transition (for a reminder: `down`).
    public var from: TargetState
    /// State after it.
    public var to: TargetState
    /// The transition this tells of (a reminder: the outage's `down` one), by its verdict time, UTC epoch ms.
    public var transitionAtMs: Int64
    /// Slot of the outage's first failed round.
    public var outageStartedMs: Int64
    /// When the outage was confirmed (the failure threshold was reached).
    public var confirmedMs: Int64
    /// Slot of the first up round of the recovering streak; on recovery only.
    public var endedMs: Int64?
    /// Down rounds in the outage so far.
    public var failedRounds: Int
    /// The outage's first failure.
    public var failure: FailureDetail?
    /// The raw code of that failure (gRPC status, HTTP status, WebSocket close or Jina code), when there was one.
    public var rawCode: Int?
    /// Which layer failed, when the round checked the gateway.
    public var layer: Outage.Layer?
    /// The recorder's host.
    public var host: String
    /// Where the recorder stands (docs/semantics.md §9): its host unless it was given another vantage.
    public var vantage: String
    /// When the notice was made, UTC epoch ms.
    public var madeMs: Int64

    /// Creates a notice.
    public init(event: Event, target: String, kind: TargetKind, url: String, from: TargetState, to: TargetState,
                transitionAtMs: Int64, outageStartedMs: Int64, confirmedMs: Int64, endedMs: Int64? = nil,
                failedRounds: Int, failure: FailureDetail?, rawCode: Int?, layer: Outage.Layer?, host: String,
                vantage: String? = nil, madeMs: Int64) {
        self.event = event
        self.target = target
        self.kind = kind
        self.url = url
        self.from = from
        self.to = to
        self.transitionAtMs = transitionAtMs
        self.outageStartedMs = outageStartedMs
        self.confirmedMs = confirmedMs
        self.endedMs = endedMs
        self.failedRounds = failedRounds
        self.failure = failure
        self.rawCode = rawCode
        self.layer = layer
        self.host = host
        self.vantage = vantage ?? host
        self.madeMs = madeMs
    }

    /// The outage's length on recovery (`ended − started`, as reports count it), else up to when the notice was
    /// made.
    public var durationMs: Int64 { (endedMs ?? madeMs) - outageStartedMs }
}

extension TransitionNotice {
    /// What `notify-test` sends: a `test` event shaped like a confirmed outage of a made-up Flow a minute ago.
    public static func sample(host: String, nowMs: Int64) -> TransitionNotice {
        TransitionNotice(
            event: .test, target: "notify-test", kind: .flow, url: "grpc://localhost:12345", from: .up, to: .down,
            transitionAtMs: nowMs - 55_000, outageStartedMs: nowMs - 60_000, confirmedMs: nowMs - 55_000,
            failedRounds: 2,
            failure: FailureDetail(.notReady, message: "a test event from jina-history notify-test; no target is down",
                                   exception: "TestEvent"),
            rawCode: nil, layer: .flowNotReady, host: host, madeMs: nowMs)
    }
}

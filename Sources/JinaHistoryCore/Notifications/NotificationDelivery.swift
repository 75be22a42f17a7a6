/// What became of one notice at one destination, as stored with the history (docs/notifications.md).
public struct NotificationDelivery: Hashable, Sendable {
    /// How it ended.
    public enum Outcome: String, Hashable, Sendable, CaseIterable {
        /// The receiver accepted it (HTTP 2xx; a command's exit status 0).
        case sent
        /// Every attempt failed.
        case failed
        /// Still pending when the recorder stopped, and not attempted within the clean-stop second.
        case notSent = "not_sent"
    }

    /// Target row id.
    public var targetId: Int64
    /// The recorder run that queued it, as stored; `nil` before it was stored.
    public var runId: Int64?
    /// What it told.
    public var event: TransitionNotice.Event
    /// The transition it told of, by its verdict time (a reminder: the outage's `down` transition).
    public var transitionAtMs: Int64
    /// When it was handed to the destination's queue (its transition was stored), UTC epoch ms.
    public var queuedMs: Int64
    /// When its last attempt ended (or it was given up).
    public var finishedMs: Int64
    /// ``NotificationDestination/redacted``: never credentials, a path or a query.
    public var destination: String
    /// Attempts made.
    public var attempts: Int
    /// How it ended.
    public var outcome: Outcome
    /// The last answer's HTTP status, or a command's exit status.
    public var status: Int?
    /// The last failure, one line; empty when sent.
    public var error: String

    /// Creates a delivery record.
    public init(targetId: Int64, event: TransitionNotice.Event, transitionAtMs: Int64, queuedMs: Int64,
                finishedMs: Int64, destination: String, attempts: Int, outcome: Outcome, status: Int?,
                error: String) {
        self.targetId = targetId
        self.event = event
        self.transitionAtMs = transitionAtMs
        self.queuedMs = queuedMs
        self.finishedMs = finishedMs
        self.destination = destination
        self.attempts = attempts
        self.outcome = outcome
        self.status = status
        self.error = error
    }
}

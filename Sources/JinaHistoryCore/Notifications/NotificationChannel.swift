/// Delivers a notice to one destination, once (docs/notifications.md). Implementations (`JinaHistoryNotify`)
/// never throw: every failure is an answer. Retries, backoff and the stop are the dispatcher's.
public protocol NotificationChannel: Sendable {
    /// The destination, as it may be stored and printed.
    var destination: String { get }

    /// One attempt, ended at `timeoutMs` milliseconds at the latest.
    func deliver(_ notice: TransitionNotice, timeoutMs: Int64) async -> NotificationAnswer
}

/// How one delivery attempt ended.
public struct NotificationAnswer: Hashable, Sendable {
    /// Whether the receiver took it.
    public var accepted: Bool
    /// An HTTP status or a command's exit status, when there was one.
    public var status: Int?
    /// Why it was not accepted, one line without credentials; empty when accepted.
    public var error: String

    /// Creates an answer.
    public init(accepted: Bool, status: Int?, error: String) {
        self.accepted = accepted
        self.status = status
        self.error = error
    }
}

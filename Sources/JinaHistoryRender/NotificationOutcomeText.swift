public import JinaHistoryCore

/// How a notification ended, in words: the timeline's and the recorder's log lines say it alike.
public enum NotificationOutcomeText {
    /// E.g. "sent (HTTP 200, 1 attempt)", "failed after 3 attempts (HTTP 500)", "not sent: the recorder stopped …".
    public static func describe(_ delivery: NotificationDelivery) -> String {
        let attempts = "\(delivery.attempts) attempt\(delivery.attempts == 1 ? "" : "s")"
        let status = delivery.status.map { delivery.destination.hasPrefix("command") ? "exit \($0)" : "HTTP \($0)" }
        switch delivery.outcome {
        case .sent:
            return "sent (" + [status, attempts].compactMap { $0 }.joined(separator: ", ") + ")"
        case .failed:
            return "failed after \(attempts)" + (status.map { " (\($0))" } ?? "")
                + (delivery.error.isEmpty ? "" : ": \(delivery.error.oneLine(limit: 200))")
        case .notSent:
            return "not sent: \(delivery.error.oneLine(limit: 200))"
        }
    }
}

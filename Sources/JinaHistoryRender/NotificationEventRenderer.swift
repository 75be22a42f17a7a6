import Foundation
public import JinaHistoryCore

/// A notice as its receivers read it (docs/notifications.md): the JSON event of
/// `reports/notification-event.schema.json`, a chat message for Slack-compatible webhooks, and the environment a
/// `--on-transition` command gets. All three carry the same facts.
public enum NotificationEventRenderer {
    /// The event's schema version.
    public static let schemaVersion = 1

    /// The JSON event, on one line.
    public static func json(_ notice: TransitionNotice) -> [UInt8] { Array(JSONText.line(.object(fields(notice))).utf8) }

    /// `{"text": …}` as Slack's incoming webhooks (and Mattermost's, Rocket.Chat's) take it; the server's text
    /// is escaped for their markup, so it never becomes a link or a mention.
    public static func slack(_ notice: TransitionNotice) -> [UInt8] {
        Array(JSONText.line(.object(["text": .string(chatText(notice))])).utf8)
    }

    /// The event's fields as environment variables, `JINA_HISTORY_` and the field's name in capitals; a null
    /// field is an empty value.
    public static func environment(_ notice: TransitionNotice) -> [String: String] {
        var environment: [String: String] = [:]
        for (key, value) in fields(notice) {
            let text: String = switch value {
            case .null: ""
            case .string(let string): string
            case .integer(let integer): String(integer)
            case .number(let number): String(number)
            case .bool(let bool): String(bool)
            case .array, .object: JSONText.line(value)
            }
            environment["JINA_HISTORY_" + key.uppercased()] = text
        }
        return environment
    }

    static func fields(_ notice: TransitionNotice) -> [String: JSONValue] {
        func time(_ ms: Int64?) -> JSONValue { ms.map { .string(TimeText.rfc3339($0)) } ?? .null }
        func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        let failure = notice.failure
        return [
            "schema_version": .integer(Int64(schemaVersion)),
            "event": .string(notice.event.rawValue),
            "target": .string(notice.target), "kind": .string(notice.kind.rawValue), "url": .string(notice.url),
            "from": .string(notice.from.rawValue), "to": .string(notice.to.rawValue),
            "outage_started_at": time(notice.outageStartedMs), "confirmed_at": time(notice.confirmedMs),
            "ended_at": time(notice.endedMs),
            "duration_s": notice.event == .down ? .null : .number(Double(notice.durationMs) / 1_000),
            "failed_rounds": .integer(Int64(notice.failedRounds)),
            "error_class": text(failure?.errorClass.rawValue), "raw_code": notice.rawCode.map { .integer(Int64($0)) } ?? .null,
            "exception": text(failure?.exception), "description": text(failure?.message),
            "deployment": text(failure?.deployment), "layer": text(notice.layer?.rawValue),
            "host": .string(notice.host), "vantage": .string(notice.vantage), "sent_at": time(notice.madeMs),
        ]
    }

    /// One message: what happened, to what, since when and why, in plain words.
    static func chatText(_ notice: TransitionNotice) -> String {
        let name = "*\(escape(notice.target))* (\(notice.kind.rawValue) \(escape(notice.url)))"
        let since = TimeText.rfc3339(notice.outageStartedMs)
        let rounds = "\(notice.failedRounds) failed round\(notice.failedRounds == 1 ? "" : "s")"
        var why = ""
        if let failure = notice.failure {
            why = "\n> \(failure.errorClass.rawValue)" + (notice.rawCode.map { " (code \($0))" } ?? "")
                + (failure.exception.isEmpty ? "" : " \(escape(failure.exception))")
                + (notice.layer.map { ", layer \($0.rawValue)" } ?? "")
                + (failure.deployment.isEmpty ? "" : ", deployment \(escape(failure.deployment))")
                + ": \(escape(failure.oneLineMessage(limit: 300)))"
        }
        let from = " (seen from \(escape(notice.vantage)))"
        return switch notice.event {
        case .down: ":red_circle: \(name) is down since \(since), \(rounds)\(from)\(why)"
        case .reminder:
            ":red_circle: \(name) is still down, for \(DurationText.text(notice.durationMs)) since \(since), "
                + "\(rounds)\(from)\(why)"
        case .up:
            ":large_green_circle: \(name) is up again after \(DurationText.text(notice.durationMs)) down "
                + "(\(since) to \(TimeText.rfc3339(notice.endedMs ?? notice.madeMs)), \(rounds))\(from)"
        case .test: ":white_circle: a test notification from jina-history for \(name)\(from)"
        }
    }

    /// Slack's markup escapes: `&`, `<` and `>` (links and mentions are written `<…>`).
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

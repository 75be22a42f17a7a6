import Foundation

/// Where `record` tells of a confirmed transition (docs/notifications.md): an HTTP receiver that gets a POST, or
/// a command that is run.
public enum NotificationDestination: Hashable, Codable, Sendable {
    /// An HTTP POST of the event to `url` in `format`.
    case webhook(url: String, format: NotificationFormat)
    /// `command` run through `/bin/sh -c`, with the event in its environment and as JSON on its stdin.
    case command(String)

    /// A webhook destination, checked: http or https, a host, nothing else.
    ///
    /// - throws: ``JinaHistoryError`` (``JinaHistoryError/Input/notify``) whose value is the url with its
    ///   credentials, path and query hidden, so the error may be printed.
    public init(webhook url: String, format: NotificationFormat) throws {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased() else {
            throw JinaHistoryError.invalid(.notify, value: "", .notifyURL(.malformed))
        }
        let shown = Self.redact(url)
        guard scheme == "http" || scheme == "https" else {
            throw JinaHistoryError.invalid(.notify, value: shown, .notifyURL(.notHTTP(scheme: scheme)))
        }
        guard let host = parts.host, !host.isEmpty else {
            throw JinaHistoryError.invalid(.notify, value: shown, .notifyURL(.noHost))
        }
        self = .webhook(url: url, format: format)
    }

    /// Where it goes, as it may be stored, logged and printed: a url's scheme, host and port, with `/…` for a
    /// path and no credentials or query (a Slack webhook's token is its path); a command's program name.
    public var redacted: String {
        switch self {
        case .webhook(let url, _): return Self.redact(url)
        case .command(let command):
            let program = command.split(separator: " ", omittingEmptySubsequences: true).first.map(String.init) ?? ""
            return "command " + (program.split(separator: "/").last.map(String.init) ?? program)
                + (command.trimmingCharacters(in: .whitespaces).contains(" ") ? " …" : "")
        }
    }

    /// `url` without what may be secret: `scheme://host[:port]`, then `/…` when it has more than `/`.
    static func redact(_ url: String) -> String {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased() else {
            return "(unparseable url)"
        }
        var shown = "\(scheme)://"
        if let host = parts.host { shown += host.contains(":") ? "[\(host)]" : host }
        if let port = parts.port { shown += ":\(port)" }
        if !(parts.path.isEmpty || parts.path == "/") || parts.query != nil || parts.fragment != nil { shown += "/…" }
        return shown
    }
}

/// The body a webhook gets.
public enum NotificationFormat: String, Hashable, Codable, Sendable, CaseIterable {
    /// The event as JSON (`reports/notification-event.schema.json`).
    case json
    /// A chat message that Slack-compatible incoming webhooks accept (Mattermost, Rocket.Chat too).
    case slack

    /// Reads `--notify-format`.
    ///
    /// - throws: ``JinaHistoryError`` naming the formats.
    public init(parsing text: String) throws {
        guard let format = Self(rawValue: text.lowercased()) else {
            throw JinaHistoryError.invalid(.notifyFormat, value: text, .notAFormat(known: Self.allCases.map(\.rawValue)))
        }
        self = format
    }
}

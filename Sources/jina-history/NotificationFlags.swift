import ArgumentParser
import JinaHistoryCore
import JinaHistoryNotify
import JinaHistoryRecorder
import JinaHistoryRender

/// `--notify`, `--notify-format`, `--on-transition`, `--notify-repeat` and `--notify-timeout`, shared by `record`
/// and `notify-test` (docs/notifications.md).
struct NotificationFlags: ParsableArguments {
    @Option(help: ArgumentHelp(
        "POST a JSON event to this http(s) url on every confirmed transition (repeatable).",
        discussion: "Its credentials, path and query are never stored, printed or logged.", valueName: "url"))
    var notify: [String] = []

    @Option(help: "Body of the --notify requests: json (reports/notification-event.schema.json) or slack (a chat message Slack-compatible incoming webhooks take).")
    var notifyFormat = NotificationFormat.json.rawValue

    @Option(help: ArgumentHelp(
        "Run this shell command on every confirmed transition, with the event in JINA_HISTORY_* environment variables and as JSON on its stdin (repeatable).",
        valueName: "command"))
    var onTransition: [String] = []

    @Option(help: "While an outage lasts, remind every this long (default: no reminders).")
    var notifyRepeat: String?

    @Option(help: "Deadline of one delivery attempt (a request, or a command's run); 3 attempts, 1s then 2s apart.")
    var notifyTimeout = "5s"

    /// The destinations and the reminder period these flags give.
    ///
    /// - throws: ``JinaHistoryError`` for a url that is not http(s), an unknown format, a command that does not
    ///   exist or a bad duration.
    func alertPolicy() throws -> AlertPolicy {
        let format = try NotificationFormat(parsing: notifyFormat)
        var destinations = try notify.map { try NotificationDestination(webhook: $0, format: format) }
        destinations += try onTransition.map { command in
            guard CommandChannel.programExists(command) else {
                throw JinaHistoryError.invalid(.onTransition, value: NotificationDestination.command(command).redacted,
                                               .noSuchCommand)
            }
            return .command(command)
        }
        let repeatMs = try notifyRepeat.map { try DurationText.milliseconds($0, for: .notifyRepeat) }
        if let repeatMs, repeatMs < 1_000 { throw JinaHistoryError.invalid(.notifyRepeat, value: notifyRepeat ?? "", .below("1s")) }
        return AlertPolicy(destinations: destinations, repeatMs: repeatMs)
    }

    /// Deadlines and retries.
    func dispatchSettings() throws -> NotificationDispatcher.Settings {
        let timeoutMs = try DurationText.milliseconds(notifyTimeout, for: .notifyTimeout)
        guard timeoutMs >= 10 else { throw JinaHistoryError.invalid(.notifyTimeout, value: notifyTimeout, .below("10ms")) }
        return NotificationDispatcher.Settings(timeoutMs: timeoutMs)
    }

    /// A channel for every destination of `targets`.
    static func channels(for targets: [ScheduledTarget]) -> [NotificationDestination: any NotificationChannel] {
        var channels: [NotificationDestination: any NotificationChannel] = [:]
        for destination in targets.flatMap(\.alerts.destinations) where channels[destination] == nil {
            channels[destination] = channel(for: destination)
        }
        return channels
    }

    static func channel(for destination: NotificationDestination) -> any NotificationChannel {
        switch destination {
        case .webhook(let url, let format):
            WebhookChannel(url: url, destination: destination.redacted, body: format == .slack
                ? NotificationEventRenderer.slack : NotificationEventRenderer.json)
        case .command(let command):
            CommandChannel(command: command, destination: destination.redacted,
                           environment: NotificationEventRenderer.environment, body: NotificationEventRenderer.json)
        }
    }
}

import ArgumentParser
import Foundation
import JinaHistoryCore
import JinaHistoryRecorder

/// `jina-history notify-test`: sends one sample event to each destination, so a webhook or command can be checked
/// before an outage needs it.
struct NotifyTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify-test",
        abstract: "Send a sample event (event \"test\") to each --notify url and --on-transition command, once.",
        discussion: "Exit status 0 when every destination accepted it, 1 otherwise. Nothing is recorded.")

    @OptionGroup(title: "Notifications") var notifications: NotificationFlags

    func run() async throws {
        let failed = try await reportingErrors { () async throws -> Int in
            let destinations = try notifications.alertPolicy().destinations
            guard !destinations.isEmpty else {
                throw UsageError("nothing to test; give --notify URL or --on-transition COMMAND")
            }
            let timeoutMs = try notifications.dispatchSettings().timeoutMs
            let notice = TransitionNotice.sample(host: ProcessInfo.processInfo.hostName, nowMs: RunClock.wallNowMs())
            var failed = 0
            for destination in destinations {
                let answer = await NotificationFlags.channel(for: destination).deliver(notice, timeoutMs: timeoutMs)
                let status = answer.status.map { destination.redacted.hasPrefix("command") ? "exit \($0)" : "HTTP \($0)" }
                if answer.accepted {
                    Console.message("sent to \(destination.redacted)" + (status.map { " (\($0))" } ?? "") + "\n",
                                    to: .standardOutput)
                } else {
                    failed += 1
                    Console.message("jina-history: error: not sent to \(destination.redacted)"
                        + (status.map { " (\($0))" } ?? "") + ": \(answer.error.oneLine(limit: 300))\n")
                }
            }
            return failed
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

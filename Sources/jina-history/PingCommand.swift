import ArgumentParser
import Foundation
import JinaHistoryKit

/// `jina-history ping`: `jina ping` with the same flags, defaults and exit codes, plus error classes, every
/// attempt's latency, a summary, a deadline on every kind and transport, and `--record`.
struct PingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Check once whether a Jina service is ready, as `jina ping` does: exit 0 ready, 1 not ready.",
        discussion: """
            Attempts are one second apart, as in jina ping, with no pause after the last one. Unlike jina ping, \
            --timeout bounds every attempt of every kind and transport. Exit 2 means bad input, 3 a database \
            that cannot be written (with --record).
            """)

    @Argument(help: "What the target is: flow, deployment, executor or gateway.")
    var kind: String

    @Argument(help: "[grpc://]HOST:PORT, http://HOST:PORT or ws://HOST:PORT (grpcs, https, wss for TLS).")
    var url: String

    // Unconditional, so that `--timeout -1` (jina ping's "no timeout") reaches our own error message.
    @Option(parsing: .unconditional, help: "Deadline of each attempt in milliseconds: connect, call and answer.")
    var timeout: Int64 = 3_000

    @Option(help: "Attempts to make.")
    var attempts = 1

    @Option(help: "Successful attempts needed for exit 0.")
    var minSuccessfulAttempts = 1

    @Flag(help: "Also write the round to the history database.")
    var record = false

    @Option(help: "Target name in the history database, with --record (default: KIND@URL).")
    var name: String?

    @OptionGroup var database: DatabaseOption

    @OptionGroup var tls: TLSFlags

    func run() async throws {
        let ready = try await reportingErrors {
            let kind = try TargetKind(parsing: kind, source: "kind")
            let endpoint = try Endpoint(parsing: url)
            let target = Target(name: name ?? "\(kind.rawValue)@\(endpoint)", kind: kind, endpoint: endpoint,
                                tls: tls.options)
            try requireProbeable([target])
            let ping = try Ping(target: target, timeoutMs: timeout, attempts: attempts,
                                minSuccesses: minSuccessfulAttempts, checker: JinaReadinessChecker())
            // Opened before probing, so a database that cannot be written is reported before any attempt.
            let writer = record ? try HistoryWriter(path: database.path) : nil
            let clock = RunClock()
            let round = await ping.run(clock: clock) { attempt in
                print(Self.line(for: attempt, of: target, attempts: attempts))
            }
            guard let round else { throw ExitCode(1) }
            let summary = PingSummary(round: round, minSuccesses: minSuccessfulAttempts)
            print(Self.summaryLine(summary))
            if let writer {
                try ping.record(round, clock: clock, into: writer, version: JinaHistoryVersion.current)
                print("recorded as \(target.name) in \(writer.path)")
            }
            return summary.ready
        }
        if !ready { throw ExitCode(1) }
    }

    static func line(for attempt: AttemptRecord, of target: Target, attempts: Int) -> String {
        let took = Self.milliseconds(attempt.durationUs)
        if attempt.role == .gatewayLiveness {
            return attempt.succeeded
                ? "gateway of \(target.endpoint): up in \(took) (the gateway answers; what is behind it is not ready)"
                : "gateway of \(target.endpoint): down in \(took)  \(Self.failureText(attempt))"
        }
        let head = "ping \(target.kind.rawValue) on \(target.endpoint), attempt \(attempt.number)/\(attempts): "
        return attempt.succeeded ? head + "ready in \(took)" : head + "not ready in \(took)  \(Self.failureText(attempt))"
    }

    static func summaryLine(_ summary: PingSummary) -> String {
        let lost = summary.attempts - summary.successes
        let latency = summary.meanLatencyUs.map { "avg latency \(Self.milliseconds($0))" } ?? "no successful attempt"
        return "\(summary.ready ? "ready" : "not ready"): \(summary.successes)/\(summary.attempts) attempts "
            + "succeeded (\(summary.minSuccesses) needed); \(latency); attempts lost \(summary.lostPercent)% "
            + "(\(lost)/\(summary.attempts))"
    }

    private static func failureText(_ attempt: AttemptRecord) -> String {
        let code = attempt.rawCode.map { " (code \($0))" } ?? ""
        return "\(attempt.failure?.errorClass.rawValue ?? "?")\(code)  \(attempt.failure?.oneLineMessage(limit: 160) ?? "")"
    }

    private static func milliseconds(_ microseconds: Int64) -> String {
        String(format: "%.1f ms", Double(microseconds) / 1_000)
    }
}

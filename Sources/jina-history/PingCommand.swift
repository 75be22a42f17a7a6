import ArgumentParser
import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite

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

    @Argument(help: "What the target is: flow, deployment, executor or gateway.",
              completion: .list(TargetKind.allCases.map(\.rawValue)))
    var kind: String

    @Argument(help: "[grpc://]HOST:PORT, http://HOST:PORT or ws://HOST:PORT (grpcs, https, wss for TLS).")
    var url: String

    // Unconditional, so that `--timeout -1` (jina ping's "no timeout") reaches our own error message.
    @Option(parsing: .unconditional,
            help: "Deadline of each attempt: milliseconds as in jina ping (3000), or a duration (3s, 500ms).")
    var timeout = "3000"

    @Option(parsing: .unconditional, help: "Attempts to make.")
    var attempts = 1

    @Option(parsing: .unconditional, help: "Successful attempts needed for exit 0.")
    var minSuccessfulAttempts = 1

    @Flag(help: "Also write the round to the history database.")
    var record = false

    @Option(help: """
        With --record: the period of the series this ping belongs to (the cron job's, e.g. 5m). Its verdict then \
        holds until the next ping, for at most 2 × this plus its duration; without it, a recorded ping counts as \
        a round but vouches for no time.
        """)
    var every: String?

    @Option(help: "Target name in the history database, with --record (default: KIND@URL).")
    var name: String?

    @OptionGroup var database: DatabaseOption

    @OptionGroup var tls: TLSFlags

    func run() async throws {
        // The kind is an argument, not a flag.
        let ready = try await reportingErrors(naming: { $0 == .kind ? "kind" : "--\($0.rawValue)" }) {
            let kind = try TargetKind(parsing: kind)
            let endpoint = try Endpoint(parsing: url)
            let target = Target(name: name ?? "\(kind.rawValue)@\(endpoint)", kind: kind, endpoint: endpoint,
                                tls: tls.options)
            if every != nil, !record {
                throw UsageError("--every is the period of a recorded series; add --record")
            }
            let unverified = try requireProbeable([target])
            let ping = try Ping(target: target, timeoutMs: try Self.milliseconds(timeout), attempts: attempts,
                                minSuccesses: minSuccessfulAttempts,
                                everyMs: try every.map { try DurationText.milliseconds($0, for: .every) },
                                checker: JinaReadinessChecker())
            // Opened before probing, so a database that cannot be written is reported before any attempt.
            let writer = record ? try database.store().openWriter() : nil
            unverified.forEach { Console.message("jina-history: warning: \($0)\n") }
            let clock = RunClock()
            let round = await ping.run(clock: clock) { attempt in
                if attempt.role == .readiness { print(Self.line(for: attempt, of: target, attempts: attempts)) }
            }
            guard let round else { throw ExitCode(1) }
            if let layer = Self.layerLine(round, of: target) { print(layer) }
            let summary = PingSummary(round: round, minSuccesses: minSuccessfulAttempts)
            print(Self.summaryLine(summary))
            if let writer {
                try ping.record(round, clock: clock, into: writer, version: JinaHistoryVersion.current)
                print("recorded as \(target.name) in \(writer.location); "
                    + (ping.everyMs == nil
                        ? "it vouches for no time (give --every with the period of your pings to count uptime)"
                        : "its verdict holds until the next ping, at most until "
                            + TimeText.rfc3339(ping.holdsUntilMs(round))))
            }
            return summary.ready
        }
        if !ready { throw ExitCode(1) }
    }

    /// `--timeout` in milliseconds: a bare number is milliseconds, as `jina ping` reads it; a duration has a unit.
    static func milliseconds(_ text: String) throws -> Int64 {
        let milliseconds = try Int64(text) ?? (text.hasPrefix("-") ? -1 : DurationText.milliseconds(text, for: .timeout))
        guard milliseconds >= 1 else {
            throw UsageError("--timeout must be 1 or more milliseconds; every jina-history call has a deadline (jina "
                + "ping's -1, no deadline, is not offered)")
        }
        return milliseconds
    }

    static func line(for attempt: AttemptRecord, of target: Target, attempts: Int) -> String {
        let head = "ping \(target.kind.rawValue) on \(target.endpoint), attempt \(attempt.number)/\(attempts): "
        let took = Self.milliseconds(attempt.durationUs)
        return attempt.succeeded ? head + "ready in \(took)" : head + "not ready in \(took)  \(Self.failureText(attempt))"
    }

    /// What a failed flow or deployment round says about its layers, in the words of the outage's `layer`: the
    /// gateway answers (even with an error status) and what is behind it is not ready, or the gateway does not
    /// answer. A readiness call the server does not implement means the url is not a gateway's.
    static func layerLine(_ round: RoundRecord, of target: Target) -> String? {
        let url = target.endpoint.description
        if round.readinessAttempts.contains(where: { $0.failure?.errorClass == .unimplemented }) {
            return "\(url) looks like an Executor's: it does not implement dry_run; check it with "
                + "`jina-history ping executor \(url)` (record: --kind executor)"
        }
        guard let liveness = round.attempts.first(where: { $0.role == .gatewayLiveness }),
            let layer = Outage.Layer(of: round)
        else { return nil }
        let took = Self.milliseconds(liveness.durationUs)
        switch layer {
        case .flowNotReady:
            let answer = liveness.rawCode.map { " (code \($0))" } ?? ""
            return "gateway of \(url): answers in \(took)\(answer); the \(target.kind.rawValue) behind it is not "
                + "ready (layer flow_not_ready)"
        case .gatewayUnreachable:
            return "gateway of \(url): down in \(took)  \(Self.failureText(liveness)) (layer gateway_unreachable)"
        }
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

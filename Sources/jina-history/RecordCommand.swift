import ArgumentParser
import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryNotify
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite
import Synchronization

/// `jina-history record`: probes targets on a fixed grid and writes every round to the history database.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Probe Jina services on a fixed schedule and record every round, retry and state change.",
        discussion: """
            Stops cleanly on Ctrl-C or SIGTERM (finished rounds are written and the run is marked stopped), or \
            by itself after --rounds. Durations take units: 10ms, 250ms, 1s, 5m, 2h, 7d.
            """)

    /// When to print one line per round.
    enum RoundLines: String, ExpressibleByArgument, CaseIterable {
        case auto, always, never
    }

    @Argument(help: """
        Target urls: [grpc://]HOST:PORT, http://HOST:PORT or ws://HOST:PORT (grpcs, https, wss for TLS). \
        Several are probed concurrently. Or give --config instead.
        """)
    var urls: [String] = []

    @Option(help: "YAML file listing the targets, each with its own name, kind, url, schedule, thresholds, labels and certificates (docs/configuration.md).")
    var config: String?

    @Option(help: "What the targets are: flow, deployment, executor or gateway.",
            completion: .list(TargetKind.allCases.map(\.rawValue)))
    var kind: String = TargetKind.flow.rawValue

    @Option(help: "Stable target name, once per url in the same order (default: KIND@URL).")
    var name: [String] = []

    @OptionGroup var database: DatabaseOption

    @Option(help: ArgumentHelp(
        "Where this recorder stands, for reports that compare several recording the same targets (default: this "
            + "host's name). One recorder per vantage writes to a database at a time.",
        valueName: "name"))
    var vantage: String?

    @OptionGroup var tls: TLSFlags

    @OptionGroup(title: "Notifications") var notifications: NotificationFlags

    @Option(parsing: .unconditional, help: "Time between scheduled rounds (at least 10ms).")
    var interval = "5s"

    @Option(parsing: .unconditional, help: "Deadline of one attempt: connect, call and answer.")
    var timeout = "3s"

    // Unconditional (here and below), so that a negative number reaches our own message, not "Missing value".
    @Option(parsing: .unconditional, help: "Extra attempts after a failed one in the same round.")
    var retries = 0

    @Option(help: "Pause between attempts of a round.")
    var retryDelay = "200ms"

    @Option(parsing: .unconditional, help: "Successful attempts that make a round up.")
    var minSuccessfulAttempts = 1

    @Option(parsing: .unconditional, help: "Consecutive down rounds before an up target is down.")
    var failureThreshold = 1

    @Option(parsing: .unconditional, help: "Consecutive up rounds before a down target is up.")
    var successThreshold = 1

    @Option(parsing: .unconditional, help: "Stop after this many scheduled rounds per target.")
    var rounds: Int?

    @Option(help: """
        Rounds as they happen: auto (a live view, one line per target, on a terminal; one line per round \
        otherwise), always (one line per round), never.
        """)
    var printRounds = RoundLines.auto

    @Option(help: "Log lines as text, or json (one object per line, for log shippers; never the live view).")
    var logFormat = LineLogHandler.Format.text

    @Option(help: "Serve Prometheus metrics at http://HOST:PORT/metrics while recording, e.g. 127.0.0.1:9464.")
    var metricsListen: String?

    @Option(help: "Window of the jina_history_availability_ratio metric.")
    var metricsWindow = "1h"

    func run() async throws {
        try await reportingErrors {
            let mode: RecordOutput.Mode = switch printRounds {
            case .never: .none
            case .always: .lines
            case .auto: isatty(1) == 1 && logFormat == .text ? .live : .lines
            }
            let store = try database.store()
            let (targets, configuredVantage) = try scheduledTargets()
            // The flag wins over the file, which wins over the host's name.
            let vantage = try self.vantage.map(Self.checkedVantage) ?? configuredVantage
                ?? ProcessInfo.processInfo.hostName
            let dispatch = try notifications.dispatchSettings()
            let unverified = try requireProbeable(targets.map(\.target), alreadyChecked: config != nil)
            if let rounds, rounds < 1 { throw UsageError("--rounds must be 1 or more") }
            let metricsWindowMs = try DurationText.milliseconds(metricsWindow, for: .metricsWindow)
            let metricsAddress = try metricsListen.map { try ListenAddress.parse($0, input: .metricsListen) }
            // Warnings only once nothing else can be wrong: bad input is one line and nothing more.
            let output = RecordOutput(mode: mode, format: logFormat, targetNames: targets.map(\.target.name))
            unverified.forEach { output.warning($0, event: "tls_not_verified") }
            warnAboutOverrunningRounds(targets, output: output)
            // Kept (a lock and a few counters per round) only when something will scrape them.
            let metrics = metricsAddress.map { _ in
                RecorderMetrics(targets: targets.map(\.target), vantage: vantage, windowMs: metricsWindowMs,
                                windowLabel: metricsWindow, startedMs: RunClock.wallNowMs())
            }
            // Every start-up resource before the database: a port that is taken must not leave a new, empty
            // database behind.
            var server: MetricsServer?
            if let (host, port) = metricsAddress, let metrics {
                server = try await MetricsServer(host: host, port: port, metrics: metrics)
            }
            let writer: any HistoryWriting
            do {
                writer = try store.openWriter()
            } catch {
                await server?.stop()
                throw error
            }
            output.start()
            defer { output.finish() }
            let channels = NotificationFlags.channels(for: targets)
            let recorder = Recorder(
                writer: writer, vantage: vantage, targets: targets, checker: JinaReadinessChecker(), roundLimit: rounds,
                notifications: channels.isEmpty ? nil : Recorder.NotificationSettings(channels: channels, dispatch: dispatch),
                onEvent: { event in
                    output.handle(event)
                    metrics?.observe(event, nowMs: RunClock.wallNowMs())
                })
            output.started(targets: targets.count, path: writer.location)
            let recording = Task { try await recorder.run(version: JinaHistoryVersion.current) }
            let signals = StopSignals(onHangUp: {
                output.warning("SIGHUP ignored: the recorder does not reload; stop it (SIGTERM) and start it again",
                               event: "sighup_ignored")
            }, onStop: { recording.cancel() })
            defer { signals.cancel() }
            let result = await recording.result
            await server?.stop()
            output.stopped(runId: try result.get(), database: writer.location)
        }
    }

    /// A round that can outlast the interval is allowed (a Flow that answers slowly still needs its verdict), but
    /// said once, since a hung target then skips slots. Every call a round can make counts: its attempts, the
    /// pauses between them, and a flow's or deployment's gateway-liveness call after a failure.
    private func warnAboutOverrunningRounds(_ targets: [ScheduledTarget], output: RecordOutput) {
        let overrunning = targets.filter { $0.longestRoundCallsMs > $0.policy.intervalMs }
        guard let example = overrunning.first else { return }
        let names = overrunning.prefix(3).map(\.target.name).joined(separator: ", ")
            + (overrunning.count > 3 ? " and \(overrunning.count - 3) more" : "")
        let policy = example.policy
        let liveness = example.target.kind.checksGatewayLayer ? " + the gateway-liveness call after a failure" : ""
        output.warning(
            "\(names): a round can take \(example.longestRoundCallsMs) ms (\(policy.attempts) attempt(s) × "
                + "\(policy.timeoutMs) ms timeout + retry delays\(liveness)), longer than the \(policy.intervalMs) ms "
                + "interval, so up to \(example.slotsAHungRoundSkips) slot(s) per hung round are recorded as skipped "
                + "(lower --timeout or --retries, or raise --interval)",
            event: "round_overruns_interval")
    }

    /// `name` when it can name a vantage in reports and labels (``RecorderRunSpan/isVantageName(_:)``); `record`
    /// and `db copy` take it alike.
    static func checkedVantage(_ name: String) throws -> String {
        guard RecorderRunSpan.isVantageName(name) else {
            throw UsageError("--vantage must be 1 to 100 printable characters, e.g. --vantage eu-west")
        }
        return name
    }

    /// The targets to record, and the vantage the configuration file names, if any.
    private func scheduledTargets() throws -> ([ScheduledTarget], vantage: String?) {
        let alerts = try notifications.alertPolicy()
        if let config {
            guard urls.isEmpty else {
                throw UsageError("give target urls or --config, not both; add the urls to \(config)")
            }
            let configuration = try TargetConfigurationFile.configuration(
                path: config, requireProbeable: JinaReadinessChecker.requireProbeable,
                commandExists: CommandChannel.programExists)
            // The flags' notifications add to every target's own.
            let targets = configuration.targets.map { scheduled in
                var scheduled = scheduled
                scheduled.alerts.destinations += alerts.destinations.filter { !scheduled.alerts.destinations.contains($0) }
                scheduled.alerts.repeatMs = scheduled.alerts.repeatMs ?? alerts.repeatMs
                return scheduled
            }
            return (targets, configuration.vantage)
        }
        guard !urls.isEmpty else {
            throw UsageError("no targets; give urls (jina-history record grpc://HOST:PORT) or --config FILE")
        }
        let kind = try TargetKind(parsing: kind)
        guard name.isEmpty || name.count == urls.count else {
            throw UsageError("give --name once per url (\(urls.count) urls, \(name.count) names)")
        }
        let policy = try ProbePolicy(
            intervalMs: try DurationText.milliseconds(interval, for: .interval),
            timeoutMs: try DurationText.milliseconds(timeout, for: .timeout),
            attempts: retries >= 0 ? retries + 1 : 0,
            retryDelayMs: try DurationText.milliseconds(retryDelay, for: .retryDelay),
            minSuccesses: minSuccessfulAttempts, failureThreshold: failureThreshold,
            successThreshold: successThreshold)
        let targets = try urls.enumerated().map { index, url in
            let endpoint = try Endpoint(parsing: url)
            let target = Target(name: name.isEmpty ? "\(kind.rawValue)@\(endpoint)" : name[index], kind: kind,
                                endpoint: endpoint, tls: tls.options)
            return ScheduledTarget(target: target, policy: policy, alerts: alerts)
        }
        guard Set(targets.map(\.target.name)).count == targets.count else {
            throw UsageError("two targets share a name; give each url once, or distinct --name values")
        }
        return (targets, nil)
    }
}

/// Calls `onStop` on the first SIGINT or SIGTERM; a second one exits at once. SIGHUP, which would otherwise end
/// the recorder without its clean-stop mark, only calls `onHangUp` (which says that reloading is not supported).
final class StopSignals {
    private let sources: [any DispatchSourceSignal]

    init(onHangUp: @escaping @Sendable () -> Void, onStop: @escaping @Sendable () -> Void) {
        let stopping = Mutex(false)
        signal(SIGHUP, SIG_IGN)
        let hangUp = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hangUp.setEventHandler(handler: onHangUp)
        hangUp.resume()
        sources = [hangUp] + [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if stopping.withLock({ $0 }) { _exit(128 + number) }
                stopping.withLock { $0 = true }
                onStop()
            }
            source.resume()
            return source
        }
    }

    func cancel() { sources.forEach { $0.cancel() } }
}

extension LineLogHandler.Format: ExpressibleByArgument {}

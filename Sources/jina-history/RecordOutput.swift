import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite
import Logging
import Synchronization

/// What `record` shows while it runs: on a terminal, a live view redrawn in place (one line per target);
/// otherwise one line per round through swift-log, as text or JSON; or nothing. Start-up warnings, the start,
/// the stop and storage warnings always go through the logger, so `--log-format json` makes every line an object.
final class RecordOutput: Sendable {
    /// How rounds are shown.
    enum Mode: Equatable {
        case live, lines, none
    }

    private let mode: Mode
    private let format: LineLogHandler.Format
    private let logger: Logger
    private let status: Mutex<(view: LiveStatus, drawnLines: Int)>
    private let redrawing = Mutex<Task<Void, Never>?>(nil)
    private let summary: Mutex<RecordingSummary>
    private let startedMs = RunClock.wallNowMs()

    init(mode: Mode, format: LineLogHandler.Format, targetNames: [String]) {
        self.mode = mode
        self.format = format
        logger = Logger(label: "jina-history.record") { _ in LineLogHandler(format: format) }
        status = Mutex((LiveStatus(targetNames: targetNames, startMs: startedMs), 0))
        summary = Mutex(RecordingSummary(targetNames: targetNames))
    }

    /// Starts redrawing the live view twice a second (in live mode).
    func start() {
        guard mode == .live else { return }
        redrawing.withLock {
            $0 = Task { [weak self] in
                while !Task.isCancelled {
                    self?.redraw()
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
        }
    }

    /// A warning line (`jina-history: warning: …` as text), with `event` naming it for log shippers.
    func warning(_ text: String, event: String) {
        logger.warning("jina-history: warning: \(text)", metadata: ["event": "\(event)"])
    }

    /// Says that recording starts: as text on a terminal only (a person watching), always as JSON.
    func started(targets: Int, path: String) {
        let text = "recording \(targets) target\(targets == 1 ? "" : "s") into \(path); Ctrl-C stops"
        switch format {
        case .text: if isatty(2) == 1 { Console.message(text + "\n") }
        case .json:
            logger.info("\(text)", metadata: ["event": "start", "targets": .stringConvertible(targets), "db": "\(path)"])
        }
    }

    /// Says that recording stopped cleanly and what it recorded: per target its rounds and the outages it saw open
    /// and close, the database, and the command that reports the run (as text on stderr, beside the warnings, so
    /// stdout keeps only rounds; as JSON, in the stop event).
    func stopped(runId: Int64, database: String) {
        let summary = summary.withLock { $0 }
        switch format {
        case .text:
            Console.message(summary.lines(database: database, startedMs: startedMs).joined(separator: "\n") + "\n")
        case .json:
            let recorded = summary.targets.map { tally -> Logger.MetadataValue in
                .dictionary([
                    "target": .string(tally.name), "rounds": .stringConvertible(tally.rounds),
                    "up": .stringConvertible(tally.up), "down": .stringConvertible(tally.down),
                    "skipped": .stringConvertible(tally.skipped),
                    "outages_opened": .stringConvertible(tally.outagesOpened),
                    "outages_closed": .stringConvertible(tally.outagesClosed),
                    "notifications_sent": .stringConvertible(tally.notifications.sent),
                    "notifications_failed": .stringConvertible(tally.notifications.failed + tally.notifications.notSent),
                ])
            }
            logger.info("recording stopped; the run is marked stopped", metadata: [
                "event": "stop", "run": .stringConvertible(runId), "db": .string(database), "recorded": .array(recorded),
            ])
        }
    }

    /// Takes in one recorder event.
    func handle(_ event: RecorderEvent) {
        switch event {
        case .storageFailed(let fault, let pending):
            // The first failure, then every tenfold more, so a full disk does not flood the log.
            guard String(fault.failedWrites).dropFirst().allSatisfy({ $0 == "0" }) else { return }
            let text = "jina-history: warning: cannot write the history (\(fault.failedWrites) failed writes since "
                + "\(TimeText.rfc3339(fault.fromMs))): \(fault.message); probing goes on, \(pending) rounds held in "
                + "memory, \(fault.roundsDropped) dropped"
            logger.warning("\(text)", metadata: ["event": "storage_failed",
                                                 "failed_writes": .stringConvertible(fault.failedWrites),
                                                 "rounds_dropped": .stringConvertible(fault.roundsDropped)])
        case .storageRecovered(let fault):
            let text = "jina-history: storage recovered after \(String(format: "%.1fs", Double(fault.durationMs) / 1_000)) "
                + "(\(fault.failedWrites) failed writes, \(fault.roundsDropped) rounds dropped); recorded"
            logger.warning("\(text)", metadata: ["event": "storage_recovered",
                                                 "rounds_dropped": .stringConvertible(fault.roundsDropped)])
        case .notified(let target, let delivery):
            summary.withLock { $0.observe(target, delivery) }
            let text = "\(target): notification \(delivery.event.rawValue) to \(delivery.destination) "
                + NotificationOutcomeText.describe(delivery)
            let metadata: Logger.Metadata = [
                "event": "notification", "target": "\(target)", "notice": "\(delivery.event.rawValue)",
                "destination": "\(delivery.destination)", "outcome": "\(delivery.outcome.rawValue)",
                "attempts": .stringConvertible(delivery.attempts),
            ]
            if delivery.outcome == .sent {
                if mode == .lines { logger.info("\(text)", metadata: metadata) }
            } else {
                logger.warning("jina-history: warning: \(text)", metadata: metadata)
            }
        case .round(let target, let round, let transition):
            summary.withLock { $0.observe(target.name, round, transition) }
            switch mode {
            case .none: return
            case .live: status.withLock { $0.view.observe(target.name, round, transition) }
            case .lines:
                logger.info("\(Self.line(target, round, transition))", metadata: Self.metadata(target, round, transition))
            }
        }
    }

    /// Draws the view one last time and leaves the cursor below it.
    func finish() {
        redrawing.withLock { $0?.cancel() }
        if mode == .live { redraw() }
    }

    private func redraw() {
        let text = status.withLock { status -> String in
            let lines = status.view.render(nowMs: RunClock.wallNowMs(), width: Self.terminalWidth())
            // Back to the first line of the previous drawing, then each line over the old one.
            let up = status.drawnLines > 0 ? "\u{1B}[\(status.drawnLines)A" : ""
            status.drawnLines = lines.count
            return up + lines.map { "\r" + $0 + "\u{1B}[K\n" }.joined()
        }
        Console.message(text, to: .standardOutput)
    }

    private static func terminalWidth() -> Int {
        var size = winsize()
        return ioctl(1, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 20 ? Int(size.ws_col) : 100
    }

    /// Like `jina ping`'s line, with the error class and the state change.
    private static func line(_ target: Target, _ round: RoundRecord, _ transition: Transition?) -> String {
        var line = "\(TimeText.rfc3339(round.scheduledMs))  \(target.name)  "
        switch round.verdict {
        case .skipped: line += "skipped (the previous round was still running)"
        case .up: line += String(format: "up    %.1f ms", Double(round.durationUs) / 1_000)
        case .down:
            let failure = round.firstFailure
            line += String(format: "down  %.1f ms  ", Double(round.durationUs) / 1_000)
            line += "\(failure?.errorClass.rawValue ?? "?")  \(failure?.oneLineMessage(limit: 120) ?? "")"
        }
        if let transition { line += "  [\(transition.from.rawValue) -> \(transition.to.rawValue)]" }
        return line
    }

    /// The round as structured fields, for `--log-format json`.
    private static func metadata(_ target: Target, _ round: RoundRecord, _ transition: Transition?) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "event": "round", "target": "\(target.name)", "scheduled_at": "\(TimeText.rfc3339(round.scheduledMs))",
            "verdict": "\(round.verdict)", "duration_ms": .stringConvertible(Double(round.durationUs) / 1_000),
            "start_lag_ms": .stringConvertible(round.startLagMs),
            "attempts": .stringConvertible(round.readinessAttempts.count),
        ]
        if let failure = round.firstFailure {
            metadata["error_class"] = "\(failure.errorClass.rawValue)"
            metadata["error"] = "\(failure.message)"
            if let code = round.readinessAttempts.first(where: { !$0.succeeded })?.rawCode {
                metadata["raw_code"] = .stringConvertible(code)
            }
        }
        if let transition { metadata["transition"] = "\(transition.from.rawValue)->\(transition.to.rawValue)" }
        return metadata
    }
}

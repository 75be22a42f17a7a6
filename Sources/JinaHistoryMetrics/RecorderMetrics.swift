import Foundation
import Synchronization
public import JinaHistoryCore

/// The recorder's state as Prometheus metrics (`record --metrics-listen`), in the text exposition format 0.0.4:
/// per target its state, the last round's duration, rounds by verdict, attempts by outcome and error class, and
/// availability over a sliding window; for the recorder its start time and failed writes. Names follow the
/// Prometheus conventions (`jina_history_` prefix, `_total` counters, base units in seconds). A target's labels
/// from its configuration are labels of each of its series (``labelName(_:)``).
public final class RecorderMetrics: Sendable {
    private struct TargetMetrics {
        var kind: String
        /// The configuration's labels, ready to append: `,team="search",env="prod"`.
        var configurationLabels: String
        var state = TargetState.unknown
        var lastDurationSeconds: Double?
        var rounds: [RoundVerdict: Int] = [:]
        var attempts: [String: Int] = [:]  // by error class; "" for ok
        /// Up and down rounds per minute, for the availability window, oldest first.
        var minutes: [(minute: Int64, up: Int, down: Int)] = []
    }

    private let windowMs: Int64
    private let windowLabel: String
    private let startedMs: Int64
    private let state: Mutex<(targets: [String: TargetMetrics], order: [String], failedWrites: Int)>

    /// Metrics for `targets`, with availability over the last `windowMs` (labelled `window="<windowLabel>"`).
    public init(targets: [Target], windowMs: Int64, windowLabel: String, startedMs: Int64) {
        self.windowMs = windowMs
        self.windowLabel = windowLabel
        self.startedMs = startedMs
        var byName: [String: TargetMetrics] = [:]
        for target in targets {
            let labels = target.labels.sorted { $0.key < $1.key }
                .map { ",\(Self.labelName($0.key))=\"\(Self.escaped($0.value))\"" }.joined()
            byName[target.name] = TargetMetrics(kind: target.kind.rawValue, configurationLabels: labels)
        }
        state = Mutex((byName, targets.map(\.name), 0))
    }

    /// Takes in one recorder event.
    public func observe(_ event: RecorderEvent, nowMs: Int64) {
        state.withLock { state in
            switch event {
            case .storageFailed: state.failedWrites += 1
            case .storageRecovered: break
            case .round(let target, let round, let transition):
                guard var metrics = state.targets[target.name] else { return }
                metrics.rounds[round.verdict, default: 0] += 1
                if let transition { metrics.state = transition.to }
                if round.verdict != .skipped {
                    metrics.lastDurationSeconds = Double(round.durationUs) / 1_000_000
                    for attempt in round.readinessAttempts {
                        metrics.attempts[attempt.failure?.errorClass.rawValue ?? "", default: 0] += 1
                    }
                    let minute = round.scheduledMs / 60_000
                    if metrics.minutes.last?.minute != minute { metrics.minutes.append((minute, 0, 0)) }
                    if round.verdict == .up { metrics.minutes[metrics.minutes.count - 1].up += 1 }
                    else { metrics.minutes[metrics.minutes.count - 1].down += 1 }
                    let oldest = (nowMs - windowMs) / 60_000
                    metrics.minutes.removeAll { $0.minute < oldest }
                }
                state.targets[target.name] = metrics
            }
        }
    }

    /// The exposition text.
    public func exposition() -> String {
        state.withLock { state in
            var families: [(name: String, type: String, help: String, samples: [String])] = [
                ("jina_history_target_up", "gauge",
                 "1 while the target is up by the recorder's thresholds, else 0.", []),
                ("jina_history_target_state", "gauge", "1 for the target's current state (unknown, up, down).", []),
                ("jina_history_last_round_duration_seconds", "gauge", "Duration of the target's last round.", []),
                ("jina_history_rounds_total", "counter", "Rounds since the recorder started, by verdict.", []),
                ("jina_history_attempts_total", "counter",
                 "Readiness attempts since the recorder started, by outcome and error class.", []),
                ("jina_history_availability_ratio", "gauge",
                 "Up rounds over up and down rounds in the window (time-weighted availability on a fixed grid).",
                 []),
            ]
            let window = Self.escaped(windowLabel)
            for name in state.order {
                guard let metrics = state.targets[name] else { continue }
                let labels = "target=\"\(Self.escaped(name))\",kind=\"\(metrics.kind)\"\(metrics.configurationLabels)"
                families[0].samples.append("{\(labels)} \(metrics.state == .up ? 1 : 0)")
                for value in [TargetState.unknown, .up, .down] {
                    let current = metrics.state == value ? 1 : 0
                    families[1].samples.append("{\(labels),state=\"\(value.rawValue)\"} \(current)")
                }
                if let seconds = metrics.lastDurationSeconds { families[2].samples.append("{\(labels)} \(seconds)") }
                for verdict in [RoundVerdict.up, .down, .skipped] {
                    families[3].samples.append("{\(labels),verdict=\"\(verdict)\"} \(metrics.rounds[verdict] ?? 0)")
                }
                for (errorClass, count) in metrics.attempts.sorted(by: { $0.key < $1.key }) {
                    let outcome = errorClass.isEmpty ? "ok" : "failed"
                    let attemptLabels = "\(labels),outcome=\"\(outcome)\",error_class=\"\(errorClass)\""
                    families[4].samples.append("{\(attemptLabels)} \(count)")
                }
                let up = metrics.minutes.reduce(0) { $0 + $1.up }
                let judged = up + metrics.minutes.reduce(0) { $0 + $1.down }
                if judged > 0 {
                    families[5].samples.append("{\(labels),window=\"\(window)\"} \(Double(up) / Double(judged))")
                }
            }
            families.append(("jina_history_storage_write_failures_total", "counter",
                             "Batches the recorder could not write (they are retried).", ["\(state.failedWrites)"]))
            families.append(("jina_history_recorder_start_time_seconds", "gauge",
                             "When this recorder started, seconds since the epoch.", ["\(Double(startedMs) / 1_000)"]))
            return families.map { family in
                "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
                    + family.samples.map { family.name + ($0.hasPrefix("{") ? "" : " ") + $0 + "\n" }.joined()
            }.joined()
        }
    }

    /// The labels every series has, or one of a family; a configuration label of the same name is renamed.
    static let reservedLabels: Set<String> = [
        "target", "kind", "state", "verdict", "outcome", "error_class", "window", "job", "instance", "le", "quantile",
    ]

    /// A configuration label's key as a Prometheus label name: characters other than letters, digits and `_`
    /// become `_`, a leading digit gets a `_` before it, and a name that is reserved (``reservedLabels``) or
    /// starts with `__` gets the prefix `label_`.
    static func labelName(_ key: String) -> String {
        var name = String(key.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "_") ? Character(scalar) : "_"
        })
        if name.first?.isNumber ?? true { name = "_" + name }
        return reservedLabels.contains(name) || name.hasPrefix("__") ? "label_" + name : name
    }

    /// A label value as the exposition format wants it: backslash, quote and line feed escaped.
    static func escaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

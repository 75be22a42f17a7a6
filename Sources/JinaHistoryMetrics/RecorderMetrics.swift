import Foundation
public import JinaHistoryCore
import Prometheus
import Synchronization

/// The recorder's state as Prometheus metrics (`record --metrics-listen`), kept in a swift-prometheus registry
/// that writes the text exposition format: per target its state, the last round's duration, rounds by verdict,
/// attempts by outcome and error class, and availability over a sliding window; for the recorder its start time
/// and failed writes. Names follow the Prometheus conventions (`jina_history_` prefix, `_total` counters, base
/// units in seconds). A target's labels from its configuration are labels of each of its series
/// (``labelName(_:)``).
public final class RecorderMetrics: Sendable {
    /// One target's series and what the availability window needs.
    private struct TargetSeries {
        /// `target`, `kind` and the configuration's labels, which every series of the target carries.
        let labels: [(String, String)]
        let up: Gauge
        let state: [TargetState: Gauge]
        let rounds: [RoundVerdict: Counter]
        /// Created with the first round that has a duration, or a verdict, to show.
        var lastDuration: Gauge?
        var availability: Gauge?
        /// Attempts by error class (`""` for ok), created as classes appear.
        var attempts: [String: Counter] = [:]
        /// Up and down rounds per minute, for the availability window, oldest first.
        var minutes: [(minute: Int64, up: Int, down: Int)] = []
    }


    private let registry: PrometheusCollectorRegistry
    private let windowMs: Int64
    private let windowLabel: String
    private let failedWrites: Counter
    private let notifications: [NotificationDelivery.Outcome: Counter]
    private let series: Mutex<[String: TargetSeries]>

    /// Metrics for `targets` recorded from `vantage` (a label of every series, so the recorders of several vantages
    /// scrape into one Prometheus apart), with availability over the last `windowMs` (labelled
    /// `window="<windowLabel>"`).
    public init(targets: [Target], vantage: String, windowMs: Int64, windowLabel: String, startedMs: Int64) {
        self.windowMs = windowMs
        self.windowLabel = windowLabel
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        var byName: [String: TargetSeries] = [:]
        for target in targets {
            let labels = [("target", target.name), ("kind", target.kind.rawValue), ("vantage", vantage)]
                + target.labels.sorted { $0.key < $1.key }.map { (Self.labelName($0.key), $0.value) }
            let state = Dictionary(uniqueKeysWithValues: [TargetState.unknown, .up, .down].map { state in
                let gauge = registry.makeGauge(descriptor: Self.metric(.state), labels: labels + [("state", state.rawValue)])
                gauge.set(to: state == .unknown ? 1 : 0)
                return (state, gauge)
            })
            let rounds = Dictionary(uniqueKeysWithValues: [RoundVerdict.up, .down, .skipped].map { verdict in
                (verdict, registry.makeCounter(descriptor: Self.metric(.rounds), labels: labels + [("verdict", "\(verdict)")]))
            })
            byName[target.name] = TargetSeries(
                labels: labels, up: registry.makeGauge(descriptor: Self.metric(.up), labels: labels), state: state,
                rounds: rounds)
        }
        series = Mutex(byName)
        let recorder = [("vantage", vantage)]
        failedWrites = registry.makeCounter(descriptor: Self.metric(.failedWrites), labels: recorder)
        notifications = Dictionary(uniqueKeysWithValues: NotificationDelivery.Outcome.allCases.map { outcome in
            (outcome, registry.makeCounter(descriptor: Self.metric(.notifications),
                                           labels: recorder + [("outcome", outcome.rawValue)]))
        })
        registry.makeGauge(descriptor: Self.metric(.startTime), labels: recorder).set(to: Double(startedMs) / 1_000)
    }

    /// Takes in one recorder event.
    public func observe(_ event: RecorderEvent, nowMs: Int64) {
        switch event {
        case .storageFailed: failedWrites.increment()
        case .storageRecovered: break
        case .notified(_, let delivery): notifications[delivery.outcome]?.increment()
        case .round(let target, let round, let transition):
            series.withLock { all in
                guard var entry = all[target.name] else { return }
                defer { all[target.name] = entry }
                entry.rounds[round.verdict]?.increment()
                if let transition {
                    entry.up.set(to: transition.to == .up ? 1 : 0)
                    for (state, gauge) in entry.state { gauge.set(to: state == transition.to ? 1 : 0) }
                }
                guard round.verdict != .skipped else { return }
                if entry.lastDuration == nil {
                    entry.lastDuration = registry.makeGauge(descriptor: Self.metric(.lastDuration), labels: entry.labels)
                }
                entry.lastDuration?.set(to: Double(round.durationUs) / 1_000_000)
                for attempt in round.readinessAttempts {
                    let errorClass = attempt.failure?.errorClass.rawValue ?? ""
                    if entry.attempts[errorClass] == nil {
                        let outcome = [("outcome", errorClass.isEmpty ? "ok" : "failed"), ("error_class", errorClass)]
                        entry.attempts[errorClass] = registry.makeCounter(
                            descriptor: Self.metric(.attempts), labels: entry.labels + outcome)
                    }
                    entry.attempts[errorClass]?.increment()
                }
                let minute = round.scheduledMs / 60_000
                if entry.minutes.last?.minute != minute { entry.minutes.append((minute, 0, 0)) }
                if round.verdict == .up { entry.minutes[entry.minutes.count - 1].up += 1 }
                else { entry.minutes[entry.minutes.count - 1].down += 1 }
                let oldest = (nowMs - windowMs) / 60_000
                entry.minutes.removeAll { $0.minute < oldest }
                let up = entry.minutes.reduce(0) { $0 + $1.up }
                let judged = up + entry.minutes.reduce(0) { $0 + $1.down }
                if entry.availability == nil {
                    entry.availability = registry.makeGauge(
                        descriptor: Self.metric(.availability), labels: entry.labels + [("window", windowLabel)])
                }
                entry.availability?.set(to: Double(up) / Double(max(judged, 1)))
            }
        }
    }

    /// The metrics, with their names and help (the names and labels of before swift-prometheus kept them).
    private enum Metric {
        case up, state, lastDuration, rounds, attempts, availability, failedWrites, startTime, notifications
    }

    private static func metric(_ metric: Metric) -> MetricNameDescriptor {
        let (name, unit, help) =
            switch metric {
            case .up: ("target_up", "", "1 while the target is up by the recorder's thresholds, else 0.")
            case .state: ("target_state", "", "1 for the target's current state (unknown, up, down).")
            case .lastDuration: ("last_round_duration", "seconds", "Duration of the target's last round.")
            case .rounds: ("rounds", "total", "Rounds since the recorder started, by verdict.")
            case .attempts: ("attempts", "total", "Readiness attempts since the recorder started, by outcome and error class.")
            case .availability:
                ("availability", "ratio",
                 "Up rounds over up and down rounds in the window (time-weighted availability on a fixed grid).")
            case .failedWrites: ("storage_write_failures", "total", "Batches the recorder could not write (they are retried).")
            case .startTime: ("recorder_start_time", "seconds", "When this recorder started, seconds since the epoch.")
            case .notifications:
                ("notifications", "total", "Notifications of transitions since the recorder started, by outcome (one per destination).")
            }
        return MetricNameDescriptor(namespace: "jina_history", metricName: name, unitName: unit, helpText: help)
    }

    /// The exposition text (format 0.0.4).
    public func exposition() -> String { registry.emitToString() }

    /// The labels every series has, or one of a family; a configuration label of the same name is renamed.
    static let reservedLabels: Set<String> = [
        "target", "kind", "vantage", "state", "verdict", "outcome", "error_class", "window", "job", "instance", "le",
        "quantile",
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
}

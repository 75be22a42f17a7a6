public import Foundation

/// The report of a window: every number `jina-history report` prints, counted as docs/semantics.md says.
/// Times are UTC epoch milliseconds here; renderers format them.
public struct HistoryReport: Hashable, Sendable {
    /// Version of the JSON shape; bumped when a field changes meaning or goes away (2: maintenance windows are
    /// listed with their real start and end, no longer cut at the window's edges).
    public static let schemaVersion = 2

    /// When the report was made.
    public var generatedAtMs: Int64
    /// The reported window, `[since, until)`.
    public var window: ReportWindow
    /// How the numbers were counted.
    public var method: ReportMethod
    /// One entry per target with evidence in the database, by name.
    public var targets: [TargetReport]
    /// Stretches of the window when the recorder could not write, oldest first.
    public var storageFaults: [StorageFault] = []
    /// How outages are listed: per target, and across targets where a format lists them in one table.
    public var outageOrder = OutageOrder.time

    /// Orders of the outage list (`report --sort`).
    public enum OutageOrder: String, Sendable, CaseIterable {
        /// By start, oldest first.
        case time
        /// Longest first; equal durations by start.
        case duration
    }

    /// This report with each target's outages that are at most `gapMs` apart joined into one incident, which
    /// counts the recoveries inside it as flaps. Time accounting is unchanged: only the list of outages changes.
    public func mergingOutages(within gapMs: Int64) -> HistoryReport {
        var merged = self
        merged.method.outageMergeGapMs = gapMs
        for index in merged.targets.indices {
            var incidents: [Outage] = []
            for outage in merged.targets[index].outages.sorted(by: { $0.startedMs < $1.startedMs }) {
                if var last = incidents.last, let endedMs = last.endedMs, outage.startedMs - endedMs <= gapMs {
                    last.endedMs = outage.endedMs
                    last.lastEvidenceMs = max(last.lastEvidenceMs, outage.lastEvidenceMs)
                    last.failedRounds += outage.failedRounds
                    last.flaps += 1 + outage.flaps
                    last.vantages = Array(Set(last.vantages + outage.vantages)).sorted()
                    last.vantageWide = last.vantageWide && outage.vantageWide
                    incidents[incidents.count - 1] = last
                } else {
                    incidents.append(outage)
                }
            }
            merged.targets[index].outages = incidents
        }
        return merged
    }

    /// This report with each target's outages listed in `order`, which ``outagesAcrossTargets`` follows too.
    public func sortingOutages(by order: OutageOrder) -> HistoryReport {
        var sorted = self
        sorted.outageOrder = order
        for index in sorted.targets.indices { sorted.targets[index].outages.sort(by: order.precedes) }
        return sorted
    }

    /// Every target's outages in one list, in ``outageOrder`` across targets (ties by target name), for the
    /// formats that list them in one table.
    public var outagesAcrossTargets: [(target: String, outage: Outage)] {
        targets.flatMap { target in target.outages.map { (target: target.name, outage: $0) } }
            .sorted { first, second in
                if outageOrder.precedes(first.outage, second.outage) { return true }
                if outageOrder.precedes(second.outage, first.outage) { return false }
                return first.target < second.target
            }
    }

    /// The targets `--fail-under percent` fails on: availability below it, or no data at all (a check that
    /// cannot show availability does not pass). Compared exactly, in decimal: 29 % of the time up is not below
    /// 29, as a binary floating-point product would have it.
    public func targets(below percent: Decimal) -> [TargetReport] {
        targets.filter { target in
            let judged = target.upMs + target.partialMs + target.downMs
            return judged == 0 || Decimal(target.upMs + target.partialMs) * 100 < percent * Decimal(judged)
        }
    }

    /// This report with only the targets that carry every label of `selector` (`report --label key=value`).
    public func keepingTargets(labelled selector: [String: String]) -> HistoryReport {
        var kept = self
        kept.targets.removeAll { target in selector.contains { target.labels[$0.key] != $0.value } }
        return kept
    }
}

/// The time span a report covers, `[sinceMs, untilMs)`, and the time it was made.
public struct ReportWindow: Hashable, Sendable {
    /// Start, UTC epoch ms (inclusive).
    public var sinceMs: Int64
    /// End, UTC epoch ms (exclusive).
    public var untilMs: Int64
    /// When the report is made; judges whether a run without a stop mark is still running.
    public var nowMs: Int64
    /// The zone the text report prints times in (`--tz`); JSON times stay UTC and name this zone.
    public var zone: TimeZone
    /// Buckets of each target's strip (``TargetReport/strip``): ``TargetReport/stripBuckets`` unless asked
    /// otherwise (the status page's history bar has 90).
    public var stripBuckets = TargetReport.stripBuckets

    /// Creates a window, refusing one that ends before it starts.
    ///
    /// - throws: ``JinaHistoryError`` when `untilMs` is not after `sinceMs`.
    public init(sinceMs: Int64, untilMs: Int64, nowMs: Int64, zone: TimeZone = .gmt) throws {
        guard untilMs > sinceMs else {
            throw JinaHistoryError.invalid(.since, value: "\(sinceMs)", .emptyWindow)
        }
        self.sinceMs = sinceMs
        self.untilMs = untilMs
        self.nowMs = nowMs
        self.zone = zone
    }

    /// The zone's name as printed: `UTC`, or its IANA name.
    public var zoneName: String { ["GMT", "UTC"].contains(zone.identifier) ? "UTC" : zone.identifier }

    /// Length in milliseconds.
    public var lengthMs: Int64 { untilMs - sinceMs }

    /// Length of every bucket of a target's strip but the last, which also takes the remainder.
    public var stripBucketMs: Int64 { max(1, lengthMs / Int64(stripBuckets)) }
}

/// The counting rules a report used, printed with it so every number can be explained.
public struct ReportMethod: Hashable, Sendable {
    /// `time_weighted`: availability is up time over up and down time.
    public var availability = "time_weighted"
    /// How long one round's verdict may hold.
    public var stalenessCap = "2 * interval + round duration, never past the next round or the end of its run"
    /// How a run without a clean-stop mark is judged.
    public var crashedRunTail = "unknown after the last heartbeat"
    /// Percentile definition.
    public var percentiles = "nearest_rank over successful readiness attempts"
    /// Where the numbers came from: `raw_rounds`, or `rollups_and_raw_rounds` when rollup spans stood in for
    /// the rounds they cover.
    public var source = "raw_rounds"
    /// Raw rounds the report read.
    public var rawRounds = 0
    /// Rollup spans the report read in place of their rounds.
    public var rollupSpans = 0
    /// Outages separated by recoveries this short or shorter are one incident (`--merge-gap`); 0 merges none.
    public var outageMergeGapMs: Int64 = 0
}

/// Everything reported about one target.
public struct TargetReport: Hashable, Sendable {
    /// Stable name.
    public var name: String
    /// Kind.
    public var kind: TargetKind
    /// Url as last recorded.
    public var url: String
    /// Labels from the configuration (team, environment), as last recorded.
    public var labels: [String: String] = [:]
    /// Milliseconds of the window by bucket.
    public var upMs: Int64 = 0
    /// Down milliseconds.
    public var downMs: Int64 = 0
    /// Maintenance milliseconds.
    public var maintenanceMs: Int64 = 0
    /// Unknown milliseconds: no fresh verdict (recorder offline, stale, crashed tail).
    public var unknownMs: Int64 = 0
    /// Partial milliseconds: vantages with a fresh verdict disagreed (docs/semantics.md §9); 0 with one vantage.
    public var partialMs: Int64 = 0
    /// The vantage this account is of, when it is one of a combined target's ``vantages``; `nil` otherwise.
    public var vantage: String?
    /// Each vantage's own account (docs/semantics.md §9), by name, when more than one recorded the target; then
    /// this report is their combined view. Empty with one vantage.
    public var vantages: [TargetReport] = []
    /// Stretches of the window when some vantages saw the target down and others up, oldest first.
    public var partialOutages: [PartialOutage] = []
    /// Round counts in the window.
    public var rounds = RoundCounts()
    /// Attempt counts of readiness attempts in the window.
    public var attempts = AttemptCounts()
    /// Latency of successful readiness attempts.
    public var successLatency = LatencySummary(sortedMicroseconds: [])
    /// Time-to-fail of failed readiness attempts.
    public var failureLatency = LatencySummary(sortedMicroseconds: [])
    /// Outages overlapping the window.
    public var outages: [Outage] = []
    /// Recorder-offline stretches within the window.
    public var gaps: [RecorderGap] = []
    /// How the latest round in the window was probed (schedule, deadline, retries, hysteresis thresholds);
    /// `nil` without rounds in the window.
    public var policy: ProbePolicy?
    /// Maintenance windows that apply to this target and overlap the report's window, with their real start and
    /// end (only their time inside the window is ``maintenanceMs``), in time order.
    public var maintenance: [MaintenanceWindow] = []
    /// Maintenance windows that would apply but were deleted (`annotate --delete`): not counted, listed so a report
    /// made before the deletion can be explained.
    public var deletedMaintenance: [MaintenanceWindow] = []
    /// The window cut into ``ReportWindow/stripBuckets`` equal buckets, each with its worst state: down if any
    /// of it was down, else unknown if any was unknown, else maintenance if any, else up. Nothing short hides.
    public var strip: [BucketState] = []

    /// Notifications queued in the window, by outcome (docs/notifications.md).
    public var notifications = NotificationCounts()

    /// Buckets of the strip, unless the window asks for another number.
    public static let stripBuckets = 60
    /// Latency of successful readiness attempts per strip bucket (by the slot of their round); empty when the
    /// report was built without it (``HistoryReader/report(window:useRollups:latencyStrip:)``).
    public var latencyStrip: [LatencySummary] = []

    /// What a bucket of the strip shows.
    public enum BucketState: String, Sendable {
        /// Up throughout.
        case up
        /// Some of it down.
        case down
        /// Some of it with no fresh verdict.
        case unknown
        /// Some of it in maintenance, the rest up.
        case maintenance
        /// Some of it partial (vantages disagreed), none of it down or unknown.
        case partial

        /// One character for the strip: `=` up, `#` down, `.` unknown, `m` maintenance.
        public var symbol: Character {
            switch self {
            case .up: "="
            case .down: "#"
            case .unknown: "."
            case .maintenance: "m"
            case .partial: "~"
            }
        }
    }

    /// `(up + partial) / (up + partial + down)`, or `nil` with no evidence: partial time counts as up, since the
    /// Flow answered ready to someone (with one vantage, `up / (up + down)`).
    public var availability: Double? { ratio(upMs + partialMs, upMs + partialMs + downMs) }
    /// `up / (up + partial + down)`: partial time counts as down, since not everyone could reach the target.
    public var availabilityEverywhere: Double? { ratio(upMs, upMs + partialMs + downMs) }
    /// `(up + partial + down) / (window − maintenance)`, or `nil` for a window that is all maintenance.
    public var coverage: Double? {
        ratio(upMs + partialMs + downMs, upMs + partialMs + downMs + unknownMs)
    }
    /// Up rounds over rounds that ran.
    public var roundSuccessRatio: Double? { ratio(rounds.up, rounds.up + rounds.down) }
    /// Successful attempts over attempts.
    public var attemptSuccessRatio: Double? { ratio(attempts.ok, attempts.total) }

    private func ratio<T: BinaryInteger>(_ part: T, _ whole: T) -> Double? {
        whole > 0 ? Double(part) / Double(whole) : nil
    }
}

/// Rounds in a window by verdict.
public struct RoundCounts: Hashable, Sendable {
    /// All slots, skipped ones included.
    public var total = 0
    /// Up rounds.
    public var up = 0
    /// Down rounds.
    public var down = 0
    /// Slots that never ran because the round before was still running.
    public var skipped = 0
    /// Up rounds that needed a retry: up, but with a failed attempt.
    public var flaky = 0
}

/// Notifications in a window by outcome.
public struct NotificationCounts: Hashable, Sendable {
    /// Accepted by their receiver.
    public var sent = 0
    /// Every attempt failed.
    public var failed = 0
    /// Pending when the recorder stopped.
    public var notSent = 0

    /// No notifications.
    public init() {}

    /// Counts `delivery`.
    public mutating func count(_ delivery: NotificationDelivery) {
        switch delivery.outcome {
        case .sent: sent += 1
        case .failed: failed += 1
        case .notSent: notSent += 1
        }
    }
}

/// Readiness attempts in a window.
public struct AttemptCounts: Hashable, Sendable {
    /// All readiness attempts.
    public var total = 0
    /// Successful ones.
    public var ok = 0
}

/// A maximal stretch of `down` (docs/semantics.md §4).
public struct Outage: Hashable, Sendable {
    /// Which layer failed, from the gateway liveness check of the first failed round.
    public enum Layer: String, Sendable {
        /// The gateway itself did not answer.
        case gatewayUnreachable = "gateway_unreachable"
        /// The gateway answered its liveness check; the Flow behind it was not ready.
        case flowNotReady = "flow_not_ready"

        /// The layer a failed round's gateway-liveness attempt shows, `nil` when the round made none. The gateway
        /// is up when its liveness check succeeded or it at least answered (an HTTP error status, a health
        /// status): a Deployment's HTTP proxy answers 500 on every path while its executor is down.
        public init?(of round: RoundRecord) {
            guard let liveness = round.attempts.first(where: { $0.role == .gatewayLiveness }) else { return nil }
            switch liveness.failure?.errorClass {
            case nil, .httpStatus?, .notServing?: self = .flowNotReady
            default: self = .gatewayUnreachable
            }
        }
    }

    /// Slot of the first failed round.
    public var startedMs: Int64
    /// When the failure threshold was reached.
    public var confirmedMs: Int64
    /// Slot of the first up round of the recovering streak; `nil` while ongoing.
    public var endedMs: Int64?
    /// Last evidence of an ongoing outage (its duration runs to here).
    public var lastEvidenceMs: Int64
    /// Down rounds in it.
    public var failedRounds: Int
    /// The first failure.
    public var firstFailure: FailureDetail?
    /// Which layer failed, when the round checked.
    public var layer: Layer?
    /// Short recoveries inside it when outages were merged into one incident (`--merge-gap`); 0 otherwise.
    public var flaps = 0
    /// The vantages that saw it, in a combined view of several (docs/semantics.md §9); empty with one vantage.
    public var vantages: [String] = []
    /// Whether every target its vantage records failed with a network class at its start: the likely cause is the
    /// prober's own network (docs/semantics.md §9). Only judged where several vantages recorded.
    public var vantageWide = false

    /// `ended − started`, or up to the last evidence while ongoing.
    public var durationMs: Int64 { (endedMs ?? lastEvidenceMs) - startedMs }
}

/// A stretch of the window when no recorder run that probes the target was alive.
public struct RecorderGap: Hashable, Sendable {
    /// Why nobody was recording.
    public enum Cause: String, Sendable {
        /// The run before it stopped cleanly.
        case recorderStopped = "recorder_stopped"
        /// The run before it died without a stop mark.
        case recorderCrashed = "recorder_crashed"
        /// No run had recorded this target before.
        case notYetRecorded = "not_yet_recorded"
    }

    /// Start, UTC epoch ms.
    public var startedMs: Int64
    /// End, UTC epoch ms.
    public var endedMs: Int64
    /// Why.
    public var cause: Cause

    /// Length in milliseconds.
    public var durationMs: Int64 { endedMs - startedMs }
}

extension HistoryReport.OutageOrder {
    /// Whether `first` comes before `second` in this order.
    func precedes(_ first: Outage, _ second: Outage) -> Bool {
        switch self {
        case .time: first.startedMs < second.startedMs
        case .duration: (first.durationMs, second.startedMs) > (second.durationMs, first.startedMs)
        }
    }
}

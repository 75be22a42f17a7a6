/// A stretch of one target's rounds in one recorder run, within one slot of the UTC clock
/// (``periodMs(intervalMs:)``), on consecutive slots, in which every round only continued the state the target was
/// already in (steady up, or steady down inside an outage). Such rounds change a report only by time and counts,
/// so the report reads the span in their place: its verdict holds from the first slot to the last, its counts and
/// latency histograms are those of its rounds, and its last round's verdict holds on as any round's does
/// (migrations/0004_rollups.sql).
public struct RollupSpan: Hashable, Sendable {
    /// Spans of a target probed every `intervalMs` never cross a multiple of this, so a report's window edge cuts
    /// at most one per target, and that one's rounds are read raw: ten minutes (at most 600 rounds at 1 s) below
    /// a 5 s interval, the clock hour (at most 720 rounds at 5 s, 60 at 1 min) from there on, so that a span
    /// still holds enough rounds to be worth its row.
    public static func periodMs(intervalMs: Int64) -> Int64 {
        intervalMs < 5_000 ? 600_000 : longestMs
    }

    /// No span of the recorder's table is longer than this, whichever version of jina-history recorded it (all
    /// were cut by the clock hour before ten-minute slots): how far back a report looks for the spans that reach
    /// into its window.
    public static let longestMs: Int64 = 3_600_000
    /// Day spans (spans joined, migrations/0005_day_rollups.sql) never cross a multiple of this (UTC days).
    public static let dayMs: Int64 = 86_400_000
    /// Spans shorter than this are not stored: their rounds cost less read raw than a span row costs on disk.
    public static let minimumRounds = 10

    /// Target row id.
    public var targetId: Int64
    /// Recorder run row id.
    public var runId: Int64
    /// Every round's verdict: `.up` or `.down`.
    public var verdict: RoundVerdict
    /// Slot of the first round, UTC epoch ms.
    public var firstMs: Int64
    /// Slot of the last round, UTC epoch ms.
    public var lastMs: Int64
    /// The last round's duration in microseconds: with its slot, what its verdict's staleness cap needs.
    public var lastDurationUs: Int64
    /// Rounds covered.
    public var rounds = 0
    /// Up rounds that needed a retry.
    public var flaky = 0
    /// Readiness attempts.
    public var attempts = 0
    /// Successful readiness attempts' latencies.
    public var success = LatencyHistogram()
    /// Failed readiness attempts' time to fail.
    public var failure = LatencyHistogram()

    /// A span of one round.
    public init(first round: RoundRecord, targetId: Int64, runId: Int64) {
        self.targetId = targetId
        self.runId = runId
        verdict = round.verdict
        firstMs = round.scheduledMs
        lastMs = round.scheduledMs
        lastDurationUs = round.durationUs
        add(round)
    }

    /// A stored span, as read back.
    public init(targetId: Int64, runId: Int64, verdict: RoundVerdict, firstMs: Int64, lastMs: Int64,
                lastDurationUs: Int64, rounds: Int, flaky: Int, attempts: Int, success: LatencyHistogram,
                failure: LatencyHistogram) {
        self.targetId = targetId
        self.runId = runId
        self.verdict = verdict
        self.firstMs = firstMs
        self.lastMs = lastMs
        self.lastDurationUs = lastDurationUs
        self.rounds = rounds
        self.flaky = flaky
        self.attempts = attempts
        self.success = success
        self.failure = failure
    }

    /// Whether `round` can join: same verdict, the very next slot, the same slot of the clock.
    public func accepts(_ round: RoundRecord, intervalMs: Int64) -> Bool {
        let periodMs = Self.periodMs(intervalMs: intervalMs)
        return round.verdict == verdict && round.scheduledMs == lastMs + intervalMs
            && round.scheduledMs.floorDivided(by: periodMs) == firstMs.floorDivided(by: periodMs)
    }

    /// Adds `round` (checked by ``accepts(_:intervalMs:)`` first).
    public mutating func extend(with round: RoundRecord) {
        lastMs = round.scheduledMs
        lastDurationUs = round.durationUs
        add(round)
    }

    private mutating func add(_ round: RoundRecord) {
        rounds += 1
        var retried = false
        for attempt in round.readinessAttempts {
            attempts += 1
            if attempt.succeeded {
                success.add(attempt.durationUs)
            } else {
                failure.add(attempt.durationUs)
                retried = true
            }
        }
        if retried, round.verdict == .up { flaky += 1 }
    }

    /// Whether `next`, a closed span of the same target and run, continues this one within its UTC day: the
    /// same verdict from the very next slot on. Such spans are one stretch of steady rounds, cut only by the clock.
    public func isContinued(by next: RollupSpan, intervalMs: Int64) -> Bool {
        next.targetId == targetId && next.runId == runId && next.verdict == verdict
            && next.firstMs == lastMs + intervalMs
            && next.firstMs.floorDivided(by: Self.dayMs) == firstMs.floorDivided(by: Self.dayMs)
    }

    /// Takes in `next` (checked by ``isContinued(by:intervalMs:)`` first): its rounds, counts and latencies.
    public mutating func join(_ next: RollupSpan) {
        lastMs = next.lastMs
        lastDurationUs = next.lastDurationUs
        rounds += next.rounds
        flaky += next.flaky
        attempts += next.attempts
        success.merge(next.success)
        failure.merge(next.failure)
    }

    /// How many of its rounds have their slot in `range`: they lie one interval apart from the first slot.
    public func rounds(in range: Range<Int64>) -> Int {
        guard rounds > 1 else { return range.contains(firstMs) ? rounds : 0 }
        let intervalMs = (lastMs - firstMs) / Int64(rounds - 1)
        let first = max(0, (range.lowerBound - firstMs + intervalMs - 1) / intervalMs)
        let last = min(Int64(rounds - 1), (range.upperBound - 1 - firstMs).floorDivided(by: intervalMs))
        return Int(max(0, last - first + 1))
    }

    /// Whether it covers enough rounds to be stored (``minimumRounds``).
    public var isWorthStoring: Bool { rounds >= Self.minimumRounds }
}

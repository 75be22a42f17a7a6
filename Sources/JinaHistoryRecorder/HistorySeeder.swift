import Foundation
public import JinaHistoryCore

/// Writes a synthetic but realistic history through the recorder's own storage code (`jina-history db seed`),
/// for benchmarks and tests: targets on a fixed grid, latencies that vary, flaky rounds that needed a retry,
/// outages of varying length with their transitions, and recorder runs that stop cleanly or crash, leaving gaps.
/// Seeded, so the same arguments write the same history.
public struct HistorySeeder: Sendable {
    /// How many targets, over how long, ending when.
    public var targets: Int
    /// Length of the history in milliseconds.
    public var spanMs: Int64
    /// The grid of every target.
    public var intervalMs: Int64
    /// When the history ends, UTC epoch ms.
    public var endMs: Int64
    /// The random seed.
    public var seed: UInt64
    /// Each round starts an outage with a chance of one in this many.
    public var outageOdds: UInt64

    /// One in 20,000: at a 1 s interval, about four outages per target and day (a stormy history).
    public static let defaultOutageOdds: UInt64 = 20_000

    /// Describes a history to write.
    public init(targets: Int, spanMs: Int64, intervalMs: Int64, endMs: Int64, seed: UInt64 = 1,
                outageOdds: UInt64 = defaultOutageOdds) {
        self.targets = targets
        self.spanMs = spanMs
        self.intervalMs = intervalMs
        self.endMs = endMs
        self.seed = seed
        self.outageOdds = max(1, outageOdds)
    }

    /// Writes it into `writer`'s database: one recorder run per simulated day (or per span, if shorter), each
    /// stopping cleanly or (one in five) crashing, with a minute's gap before the next.
    ///
    /// - returns: the number of rounds written.
    @discardableResult
    public func write(into writer: any HistoryWriting) throws -> Int {
        var random = SplitMix64(seed: seed)
        let policy = try ProbePolicy(intervalMs: intervalMs, timeoutMs: min(3_000, intervalMs), attempts: 2)
        let scheduled = try (0..<targets).map { index in
            ScheduledTarget(
                target: Target(name: "seed-\(index)", kind: .flow,
                               endpoint: try Endpoint(parsing: "grpc://127.0.0.1:\(50_000 + index)")),
                policy: policy)
        }
        let runLengthMs = min(spanMs, 86_400_000)
        var written = 0
        var runStartMs = endMs - spanMs
        // Per target: when its current outage ends (if one is running), so outages last several rounds.
        var outageUntilMs = [Int64](repeating: 0, count: targets)
        while runStartMs < endMs {
            let runEndMs = min(endMs, runStartMs + runLengthMs)
            let (runId, ids) = try writer.beginRun(startedMs: runStartMs, host: "seed", pid: 0, version: "seed",
                                                   targets: scheduled)
            var machines = scheduled.map { _ in StateMachine() }
            var batch: [RecordedRound] = []
            batch.reserveCapacity(10_000)
            var slotMs = runStartMs
            while slotMs < runEndMs {
                for index in 0..<targets {
                    if outageUntilMs[index] <= slotMs, random.next() % outageOdds == 0 {
                        outageUntilMs[index] = slotMs + Int64(1 + random.next() % 300) * intervalMs
                    }
                    let round = Self.round(at: slotMs, down: outageUntilMs[index] > slotMs, random: &random)
                    batch.append(RecordedRound(targetId: ids[index], round: round,
                                               transition: machines[index].observe(round)))
                }
                if batch.count >= 10_000 {
                    try writer.append(batch, runId: runId, heartbeatMs: slotMs)
                    written += batch.count
                    batch.removeAll(keepingCapacity: true)
                }
                slotMs += intervalMs
            }
            try writer.append(batch, runId: runId, heartbeatMs: runEndMs)
            written += batch.count
            if random.next() % 5 != 0 { try writer.finishRun(runId, stoppedMs: runEndMs) }
            runStartMs = runEndMs + 60_000
        }
        writer.checkpoint()
        return written
    }

    /// A round: up in a few ms (one in fifty needed a retry), or down with a refused or not-ready attempt.
    private static func round(at slotMs: Int64, down: Bool, random: inout SplitMix64) -> RoundRecord {
        let latencyUs = Int64(2_000 + random.next() % 3_000 + (random.next() % 100 == 0 ? random.next() % 200_000 : 0))
        if down {
            let failure = random.next() % 2 == 0
                ? FailureDetail(.refused, message: "Connection refused (errno: 111)")
                : FailureDetail(.notReady, message: "Communication error with deployment executor0", exception:
                                    "InternalNetworkError")
            let attempts = (1...2).map { number in
                AttemptRecord(number: number, startedMs: slotMs + Int64(number - 1) * 200, durationUs: latencyUs,
                              rawCode: 14, failure: failure)
            }
            return RoundRecord(scheduledMs: slotMs, verdict: .down, durationUs: 200_000 + latencyUs, attempts: attempts)
        }
        if random.next() % 50 == 0 {
            let attempts = [
                AttemptRecord(number: 1, startedMs: slotMs, durationUs: latencyUs, rawCode: 14,
                              failure: FailureDetail(.timeout, message: "no answer within the deadline")),
                AttemptRecord(number: 2, startedMs: slotMs + 200, durationUs: latencyUs),
            ]
            return RoundRecord(scheduledMs: slotMs, verdict: .up, durationUs: 200_000 + latencyUs, attempts: attempts)
        }
        return RoundRecord(scheduledMs: slotMs, verdict: .up, durationUs: latencyUs,
                           attempts: [AttemptRecord(number: 1, startedMs: slotMs, durationUs: latencyUs)])
    }
}

/// Consecutive rounds of one target in one recorder run that no stored ``RollupSpan`` covers (transitions,
/// flapping, skipped slots, spans too short to store), within one clock hour: the recorder stores them whole in
/// one row beside the raw rounds, so a report reads an outage's rounds in one range scan, not two searches
/// (migrations/0006_loose_rounds.sql).
public struct LooseRounds: Hashable, Sendable {
    /// At most this many rounds per stretch, so a flapping target holds a bounded buffer and a row stays small.
    public static let maximumRounds = 256
    /// No stretch crosses a multiple of this (UTC clock hours): a report looks this far back for the stretches
    /// that reach into its window.
    public static let periodMs: Int64 = 3_600_000

    /// Target row id.
    public var targetId: Int64
    /// Recorder run row id.
    public var runId: Int64
    /// The rounds, in slot order; never empty.
    public var rounds: [RoundRecord]

    /// Creates a stretch of `rounds` (in slot order, at least one).
    public init(targetId: Int64, runId: Int64, rounds: [RoundRecord]) {
        self.targetId = targetId
        self.runId = runId
        self.rounds = rounds
    }

    /// Slot of the first round, UTC epoch ms.
    public var firstMs: Int64 { rounds.first?.scheduledMs ?? 0 }
    /// Slot of the last round, UTC epoch ms.
    public var lastMs: Int64 { rounds.last?.scheduledMs ?? 0 }
}

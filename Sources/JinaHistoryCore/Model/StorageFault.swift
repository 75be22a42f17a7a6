/// A stretch of a recorder run when its writes failed: probing went on and rounds waited in memory.
public struct StorageFault: Hashable, Sendable {
    /// When the first write failed, UTC epoch ms.
    public var fromMs: Int64
    /// When a write succeeded again, UTC epoch ms.
    public var toMs: Int64
    /// How many batches failed to commit.
    public var failedWrites: Int
    /// Rounds dropped because the in-memory buffer was full; their time is unknown in reports.
    public var roundsDropped: Int
    /// The last failure, one line.
    public var message: String

    /// Creates a storage fault record.
    public init(fromMs: Int64, toMs: Int64, failedWrites: Int, roundsDropped: Int, message: String) {
        self.fromMs = fromMs
        self.toMs = toMs
        self.failedWrites = failedWrites
        self.roundsDropped = roundsDropped
        self.message = message
    }

    /// `to − from`.
    public var durationMs: Int64 { toMs - fromMs }
}

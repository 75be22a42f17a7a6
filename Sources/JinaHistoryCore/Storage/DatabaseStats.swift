/// What a history database holds and costs (`jina-history db stats`): sizes, rows, bytes per round, and each
/// target's projected growth.
public struct DatabaseStats: Sendable {
    /// One target's share.
    public struct TargetShare: Sendable {
        /// Target name.
        public var name: String
        /// Rounds stored.
        public var rounds: Int
        /// First and last round slot, UTC epoch ms.
        public var firstMs: Int64?
        /// Last round slot.
        public var lastMs: Int64?
        /// The interval of its latest run.
        public var intervalMs: Int64?

        /// Creates a share.
        public init(name: String, rounds: Int, firstMs: Int64?, lastMs: Int64?, intervalMs: Int64?) {
            self.name = name
            self.rounds = rounds
            self.firstMs = firstMs
            self.lastMs = lastMs
            self.intervalMs = intervalMs
        }
    }

    /// Schema version of the file.
    public var schemaVersion: Int
    /// The database file's bytes, and its WAL's (committed rounds may still be only in the WAL).
    public var fileBytes: Int64
    /// Bytes of the `-wal` file.
    public var walBytes: Int64
    /// Pages on the freelist (reusable space).
    public var freePages: Int
    /// Page size in bytes.
    public var pageSize: Int
    /// Rows per table.
    public var rows: [(table: String, count: Int)]
    /// Per target.
    public var targets: [TargetShare]

    /// Creates stats.
    public init(schemaVersion: Int, fileBytes: Int64, walBytes: Int64, freePages: Int, pageSize: Int,
                rows: [(table: String, count: Int)], targets: [TargetShare]) {
        self.schemaVersion = schemaVersion
        self.fileBytes = fileBytes
        self.walBytes = walBytes
        self.freePages = freePages
        self.pageSize = pageSize
        self.rows = rows
        self.targets = targets
    }

    /// All rounds stored.
    public var rounds: Int { rows.first { $0.table == "round" }?.count ?? 0 }

    /// Bytes on disk (file and WAL, less free pages) per stored round; `nil` with no rounds.
    public var bytesPerRound: Double? {
        rounds == 0 ? nil : Double(fileBytes + walBytes - Int64(freePages * pageSize)) / Double(rounds)
    }

    /// What a year of `target`'s rounds at its interval would take at the current bytes per round.
    public func projectedBytesPerYear(_ target: TargetShare) -> Double? {
        guard let bytesPerRound, let interval = target.intervalMs, interval > 0 else { return nil }
        return bytesPerRound * 365 * 86_400_000 / Double(interval)
    }
}

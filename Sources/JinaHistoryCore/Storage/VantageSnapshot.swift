/// A snapshot seen from one vantage (`--vantage NAME`, docs/semantics.md §9): only that vantage's runs, and the
/// rounds, spans, transitions and notifications they made; a target it never probed is not there. Reports,
/// timelines and exports read it as they read any snapshot, so each gives that vantage's own account.
public struct VantageSnapshot: HistorySnapshot {
    private let base: any HistorySnapshot
    private let ownRuns: [RecorderRunSpan]
    private let runIds: Set<Int64>

    /// `base` seen from `vantage`.
    ///
    /// - throws: ``JinaHistoryError`` (bad input) when no run stood at `vantage`, naming the vantages there are.
    public init(_ base: any HistorySnapshot, vantage: String) throws {
        let runs = try base.runs()
        ownRuns = runs.filter { $0.vantage == vantage }
        guard !ownRuns.isEmpty else {
            let known = Set(runs.map(\.vantage)).sorted()
            throw JinaHistoryError.invalid(.vantage, value: vantage, .unknownVantage(known: known))
        }
        self.base = base
        runIds = Set(ownRuns.map(\.id))
    }

    /// The vantage's runs, read once when the snapshot was made.
    public func runs() throws -> [RecorderRunSpan] { ownRuns }

    public func targets() throws -> [StoredTarget] {
        try base.targets().compactMap { target in
            var own = target
            own.policies = target.policies.filter { runIds.contains($0.key) }
            own.runUrls = target.runUrls.filter { runIds.contains($0.key) }
            // The url as this vantage last probed it.
            own.url = own.runUrls.max { $0.key < $1.key }?.value ?? target.url
            return own.policies.isEmpty ? nil : own
        }
    }

    public func maintenance(overlapping range: Range<Int64>) throws -> [MaintenanceWindow] {
        try base.maintenance(overlapping: range)
    }

    public func storageFaults(overlapping range: Range<Int64>) throws -> [StorageFault] {
        try base.storageFaults(overlapping: range)
    }

    public func notifications(in range: Range<Int64>) throws -> [NotificationDelivery] {
        try base.notifications(in: range).filter { $0.runId.map(runIds.contains) ?? false }
    }

    public func lastTransition(targetId: Int64, to state: TargetState, atOrBefore atMs: Int64) throws
        -> Transition?
    {
        // Any vantage's: it only says how far back a report replays, and replaying further changes no number.
        try base.lastTransition(targetId: targetId, to: state, atOrBefore: atMs)
    }

    public func transitions(in range: Range<Int64>) throws -> [StoredTransition] {
        try base.transitions(in: range).filter { runIds.contains($0.runId) }
    }

    public func prunedBeforeMs() throws -> Int64? { try base.prunedBeforeMs() }

    public var rollupLevels: [RollupLevel] { base.rollupLevels }

    public var hasLooseStretches: Bool { base.hasLooseStretches }

    public func spanKeys(_ level: RollupLevel, beginningIn ranges: [Range<Int64>], endingFrom lastAtLeast: Int64)
        throws -> [SpanKey]
    {
        try base.spanKeys(level, beginningIn: ranges, endingFrom: lastAtLeast).filter { runIds.contains($0.runId) }
    }

    public func spans(_ level: RollupLevel, keys: [SpanKey], searchedIn ranges: [Range<Int64>],
                      endingFrom lastAtLeast: Int64) throws -> any RollupSpanBatches {
        try base.spans(level, keys: keys, searchedIn: ranges, endingFrom: lastAtLeast)
    }

    public func looseStretches(from fromMs: Int64, until untilMs: Int64) throws -> [EncodedLooseStretch] {
        try base.looseStretches(from: fromMs, until: untilMs).filter { runIds.contains($0.key.runId) }
    }

    public func decode(_ stretch: EncodedLooseStretch) throws -> [RoundRecord] { try base.decode(stretch) }

    public func forEachRound(in stretches: [SlotStretch], of run: (targetId: Int64, runId: Int64)?,
                             skipping: inout SpanCoverage, _ body: ([StoredRound]) throws -> Void) throws {
        try base.forEachRound(in: stretches, of: run, skipping: &skipping) { batch in
            let own = batch.filter { runIds.contains($0.runId) }
            if !own.isEmpty { try body(own) }
        }
    }
}

/// Builds reports from a store's snapshot (docs/storage.md, "Rollups"): chooses which rollup spans, loose
/// stretches and raw rounds a window needs, asks the store for them with a few range queries, and feeds them to a
/// ``ReportBuilder`` in slot order. The store answers queries; every choice is made here.
public enum HistoryFeed {
    /// Spans and loose stretches asked of a store at a time.
    static let batchSize = 256

    /// The report of `window`. With `useRollups` off every raw round is read (exact percentiles, slower over long
    /// windows); with `latencyStrip` each target's ``TargetReport/latencyStrip`` is kept (the HTML chart).
    public static func report(_ snapshot: any HistorySnapshot, window: ReportWindow, useRollups: Bool = true,
                              latencyStrip: Bool = false) throws -> HistoryReport {
        var builder = ReportBuilder(window: window, latencyStrip: latencyStrip)
        let runs = try snapshot.runs()
        let targets = try snapshot.targets()
        builder.begin(runs: runs, targets: targets,
                      maintenance: try snapshot.maintenance(overlapping: window.sinceMs..<window.untilMs))
        builder.storageFaults = try snapshot.storageFaults(overlapping: window.sinceMs..<window.untilMs)
        let fromMs = try loadStart(snapshot, targets: targets, sinceMs: window.sinceMs)
        try feedRounds(snapshot, into: &builder, fromMs: fromMs, targets: targets, runs: runs,
                       levels: useRollups ? snapshot.rollupLevels : [])
        var report = builder.finish()
        let names = Dictionary(uniqueKeysWithValues: targets.map { ($0.id, $0.name) })
        let index = Dictionary(uniqueKeysWithValues: report.targets.enumerated().map { ($1.name, $0) })
        let vantageOfRun = Dictionary(runs.map { ($0.id, $0.vantage) }, uniquingKeysWith: { first, _ in first })
        for delivery in try snapshot.notifications(in: window.sinceMs..<window.untilMs) {
            guard let name = names[delivery.targetId], let position = index[name] else { continue }
            report.targets[position].notifications.count(delivery)
            // A combined view's vantages each count the notices their own runs queued.
            if let vantage = delivery.runId.flatMap({ vantageOfRun[$0] }),
               let account = report.targets[position].vantages.firstIndex(where: { $0.vantage == vantage }) {
                report.targets[position].vantages[account].notifications.count(delivery)
            }
        }
        return report
    }

    /// Where rounds must start for the state at the window's start, and an outage already running then, to be
    /// known: from the round of each target's last change to `up` before the window (or its first round), and
    /// never later than one staleness cap before the window.
    static func loadStart(_ snapshot: any HistorySnapshot, targets: [StoredTarget], sinceMs: Int64) throws -> Int64 {
        let longestCap = targets.flatMap(\.policies.values).map(ReportBuilder.stalenessBoundMs).max() ?? 0
        var start = sinceMs - longestCap
        for target in targets {
            let lastUp = try snapshot.lastTransition(targetId: target.id, to: .up, atOrBefore: sinceMs)?
                .roundScheduledMs
            let lastDown = try snapshot.lastTransition(targetId: target.id, to: .down, atOrBefore: sinceMs)?
                .streakStartedMs
            // Only an outage still open at the window's start needs its beginning replayed.
            if let lastDown, lastUp.map({ $0 < lastDown }) ?? true {
                start = min(start, lastUp ?? lastDown)
            }
        }
        return start
    }

    /// Feeds the builder every round of `[fromMs, window end)`, with the spans of `levels` (none: every round raw)
    /// standing in for the rounds they cover, so a report of a month reads a few thousand spans and the rounds
    /// around transitions and window edges, not millions. Where the store keeps loose stretches, the rounds no
    /// stored span covers come from them (one range scan); what a crash left uncopied is read raw.
    ///
    /// A span is used when it lies wholly before the window (replay only) or wholly inside it. Day spans come
    /// first; the finer spans are searched only where the used day spans leave room for one (every finer span lies
    /// inside one day span or outside all); where the window's edge cuts a day span, its finer spans stand in,
    /// and a finer span cut by the edge is read as its rounds, unless those were pruned. The raw rounds come from
    /// one query over every stretch no used span covers; those a span covers are skipped before they are built.
    /// Spans are asked for twice over the same ranges: their keys first (which are used, which rounds to read),
    /// then the used ones, in batches in slot order with the rounds.
    static func feedRounds(_ snapshot: any HistorySnapshot, into builder: inout ReportBuilder, fromMs: Int64,
                           targets: [StoredTarget], runs: [RecorderRunSpan], levels: [RollupLevel]) throws {
        let window = builder.window
        guard !levels.isEmpty else {
            try snapshot.forEachRound(in: [SlotStretch(fromMs..<max(fromMs, window.untilMs), targetId: nil)]) {
                for stored in $0 { builder.add(stored) }
            }
            return
        }
        let prunedBeforeMs = try snapshot.prunedBeforeMs() ?? Int64.min
        // Wholly inside the window, or before it for the replay; or, once its rounds are pruned, a finer span even
        // where the window's edge cuts it (a day span cut so would share its counts out over a day, not an hour).
        // The HTML latency chart shows each bucket's own attempts: there a span in the window longer than a bucket
        // is not used (a finer span or the raw rounds stand in), unless its rounds are gone.
        let longestInWindowMs = builder.keepsLatencyStrip ? window.stripBucketMs : Int64.max
        func usable(_ key: SpanKey, _ level: RollupLevel) -> Bool {
            if level == .base, key.lastMs < prunedBeforeMs { return true }
            return key.firstMs >= fromMs
                && (key.lastMs < window.sinceMs
                    || key.firstMs >= window.sinceMs && key.lastMs < window.untilMs
                        && key.lastMs - key.firstMs < longestInWindowMs)
        }
        // Coarsest first: each level's used spans leave out the finer spans inside them, and the finer level is
        // searched only where the coarser one's used spans leave room for a span.
        var used: [(level: RollupLevel, ranges: [Range<Int64>], keys: [SpanKey])] = []
        var all: [SpanKey] = []
        for level in RollupLevel.allCases.reversed() where levels.contains(level) {
            var inside = SpanCoverage(all)
            var keys: [SpanKey] = []
            // Where a span of this level may begin outside the coarser spans used: for a month with day spans, the
            // days the window's edges cut, the ends of recorder runs and the recorder's gaps, since every closed
            // span lies in a day span (history recorded before a span alone got one leaves more room, read as
            // correctly).
            let searched = all.isEmpty ? [(fromMs - level.longestMs)..<window.untilMs]
                : uncoveredStretches(fromMs: fromMs - level.longestMs, untilMs: window.untilMs, spans: all,
                                     targets: targets, runs: runs, shortestMs: { target in
                                         let intervalMs = target.policies.values.map(\.intervalMs).min() ?? 0
                                         return Int64(RollupSpan.minimumRounds - 1) * intervalMs
                                     }).map(\.range)
            for key in try snapshot.spanKeys(level, beginningIn: searched, endingFrom: fromMs)
            where usable(key, level) && !inside.covers(targetId: key.targetId, runId: key.runId, slotMs: key.firstMs)
            {
                keys.append(key)
            }
            used.append((level, searched, keys))
            all = (all + keys).sorted(by: SpanKey.inKeyOrder)
        }
        let loose = snapshot.hasLooseStretches ? try snapshot.looseStretches(from: fromMs, until: window.untilMs) : []
        if !loose.isEmpty { all = (all + loose.map(\.key)).sorted(by: SpanKey.inKeyOrder) }
        var nextLoose = 0
        var coverage = SpanCoverage(all)
        var streams = try used.map { level, ranges, keys in
            SpanStream(try snapshot.spans(level, keys: keys, searchedIn: ranges, endingFrom: fromMs))
        }
        for index in streams.indices { try streams[index].advance() }
        func feedSpans(before ms: Int64) throws {
            while true {
                let index = streams.indices.min(by: { streams[$0].nextFirstMs < streams[$1].nextFirstMs })
                let spanMs = index.map { streams[$0].nextFirstMs } ?? Int64.max
                if nextLoose < loose.count, loose[nextLoose].key.firstMs < min(ms, spanMs) {
                    let stretch = loose[nextLoose]
                    nextLoose += 1
                    for round in try snapshot.decode(stretch)
                    where round.scheduledMs >= fromMs && round.scheduledMs < window.untilMs {
                        builder.add(StoredRound(targetId: stretch.key.targetId, runId: stretch.key.runId, round: round))
                    }
                    continue
                }
                guard let index, let span = streams[index].pending, span.firstMs < ms else { return }
                try streams[index].advance()
                guard !builder.add(span, roundsAreGone: span.lastMs < prunedBeforeMs) else { continue }
                // The replay is not where the recorder was: read the span's rounds instead.
                try snapshot.forEachRound(in: [SlotStretch(span.firstMs..<(span.lastMs + 1), targetId: nil)],
                                          of: (span.targetId, span.runId)) {
                    for stored in $0 { builder.add(stored) }
                }
            }
        }
        let ranges = uncoveredStretches(fromMs: fromMs, untilMs: window.untilMs, spans: all, targets: targets,
                                        runs: runs)
        try snapshot.forEachRound(in: ranges, of: nil, skipping: &coverage) { batch in
            for stored in batch {
                try feedSpans(before: stored.round.scheduledMs + 1)
                builder.add(stored)
            }
        }
        try feedSpans(before: Int64.max)
    }

    /// The stretches where some target may have rounds no span covers: each recorder run of each target (start to
    /// last stored slot, or last heartbeat or stop) within `[fromMs, untilMs)`, less that run's own spans, merged
    /// across runs and targets; only those at least `shortestMs` of their target long. Two spans of a run on adjacent slots leave
    /// nothing between them. Another run's spans cover nothing of a run: vantages record the same target at once,
    /// and one's spans say nothing of the other's rounds. A stretch only one target needs names it, so the store
    /// passes over the other targets' rows (around a transition, they are inside spans) instead of returning them.
    static func uncoveredStretches(fromMs: Int64, untilMs: Int64, spans: [SpanKey], targets: [StoredTarget],
                                   runs: [RecorderRunSpan], shortestMs: (StoredTarget) -> Int64 = { _ in 1 })
        -> [SlotStretch]
    {
        struct RunOfTarget: Hashable {
            var targetId: Int64
            var runId: Int64
        }
        let spansByRun = Dictionary(grouping: spans) { RunOfTarget(targetId: $0.targetId, runId: $0.runId) }
        // A run's rounds lie from its start to its last stored slot; a store that does not know that slot bounds
        // them by the run's stop or last heartbeat.
        let runExtents = Dictionary(uniqueKeysWithValues: runs.map { run in
            let endMs = run.lastSlotMs ?? max(run.heartbeatMs, run.stoppedMs ?? run.heartbeatMs)
            return (run.id, run.startedMs..<(max(run.startedMs, endMs) + 1))
        })
        var uncovered: [SlotStretch] = []
        for target in targets {
            let shortest = max(1, shortestMs(target))
            func add(_ from: Int64, _ until: Int64) {
                guard until - from >= shortest else { return }
                uncovered.append(SlotStretch(from..<until, targetId: target.id))
            }
            for (runId, policy) in target.policies {
                guard let extent = runExtents[runId] else { continue }
                let lower = max(extent.lowerBound, fromMs)
                let upper = min(extent.upperBound, untilMs)
                guard lower < upper else { continue }
                // The run's spans leave nothing between two of them on adjacent slots of its grid.
                let spans = spansByRun[RunOfTarget(targetId: target.id, runId: runId)] ?? []
                var cursor = lower
                var previousLastMs: Int64?
                var index = spans.partitioningIndex(where: { $0.lastMs >= lower })
                while index < spans.count, spans[index].firstMs < upper {
                    if previousLastMs.map({ spans[index].firstMs - $0 != policy.intervalMs }) ?? true {
                        add(cursor, spans[index].firstMs)
                    }
                    cursor = max(cursor, spans[index].lastMs + 1)
                    previousLastMs = spans[index].lastMs
                    index += 1
                }
                add(cursor, upper)
            }
        }
        var merged: [SlotStretch] = []
        for stretch in uncovered.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            if let last = merged.last, stretch.range.lowerBound <= last.range.upperBound {
                merged[merged.count - 1] = SlotStretch(
                    last.range.lowerBound..<max(last.range.upperBound, stretch.range.upperBound),
                    targetId: last.targetId == stretch.targetId ? last.targetId : nil)
            } else {
                merged.append(stretch)
            }
        }
        return merged
    }
}

/// One level's used spans, asked of the store in batches, with the next one pending.
private struct SpanStream {
    private var batches: any RollupSpanBatches
    private var buffer: [RollupSpan] = []
    private var next = 0
    /// The next span, `nil` once all were read.
    private(set) var pending: RollupSpan?

    init(_ batches: any RollupSpanBatches) {
        self.batches = batches
    }

    /// The pending span's first slot, `Int64.max` when there is none.
    var nextFirstMs: Int64 { pending?.firstMs ?? Int64.max }

    /// Moves on to the next span.
    mutating func advance() throws {
        if next == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            next = 0
            try batches.next(into: &buffer, limit: HistoryFeed.batchSize)
        }
        pending = next < buffer.count ? buffer[next] : nil
        next += 1
    }
}

extension Array {
    /// The first index whose element satisfies `belongs`, for a predicate that is false and then true along the
    /// array (binary search).
    func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

public import JinaHistoryCore

/// Copies one history into another through the storage interfaces (`db copy`, docs/storage.md): every recorder
/// run with its targets, rounds, transitions, notifications and storage faults, then the maintenance windows. The
/// destination's writer makes the rollups from the rounds, as the recorder's did.
///
/// A run already in the destination (same start, host, pid, version and vantage) is not copied again; one an
/// interrupted copy left without its end goes on after its last stored round. So a second copy adds nothing and
/// an interrupted one finishes what it began.
public struct HistoryCopy {
    /// Where every copied run stands; `nil` keeps each run's own vantage.
    public var vantage: String?
    /// Rounds written per batch.
    public var batchSize = 10_000

    /// A copy whose runs keep their vantage, or all stand at `vantage`.
    public init(vantage: String? = nil) {
        self.vantage = vantage
    }

    /// What a copy did.
    public struct Summary: Equatable, Sendable {
        /// Runs copied whole.
        public var runsCopied = 0
        /// Runs an interrupted copy had begun, finished now.
        public var runsResumed = 0
        /// Runs the destination had already.
        public var runsPresent = 0
        /// Rounds written.
        public var rounds = 0
        /// Maintenance windows written.
        public var maintenance = 0
    }

    /// Copies `source` into `writer`, whose history `destination` reads.
    ///
    /// - throws: ``JinaHistoryError`` (bad input) for a source whose raw rounds were pruned (a copy needs every
    ///   round to make the same rollups), or either store's errors.
    public func copy(from source: any HistoryReading, to writer: any HistoryWriting,
                     destination: any HistoryReading) throws -> Summary {
        try copy(from: source) { (writer, destination) }
    }

    /// Copies `source` into the store `open` opens once the source is known to be whole, so a refused copy
    /// creates nothing.
    public func copy(from source: any HistoryReading,
                     into open: () throws -> (writer: any HistoryWriting, reader: any HistoryReading)) throws
        -> Summary
    {
        guard try source.withSnapshot({ try $0.prunedBeforeMs() }) == nil else {
            throw JinaHistoryError.invalid(.from, value: source.location, .prunedHistory)
        }
        let (writer, destination) = try open()
        var summary = Summary()
        let (present, presentFaults, presentMaintenance) = try destination.withSnapshot { snapshot in
            (try snapshot.runs(), try snapshot.storageFaults(overlapping: Int64.min..<Int64.max),
             try snapshot.maintenance(overlapping: Int64.min..<Int64.max))
        }
        try source.withSnapshot { snapshot in
            let targets = try snapshot.targets()
            let everything = Int64.min..<Int64.max
            let transitions = Dictionary(
                try snapshot.transitions(in: everything).map {
                    (RoundKey(targetId: $0.targetId, runId: $0.runId, slotMs: $0.transition.roundScheduledMs), $0.transition)
                }, uniquingKeysWith: { first, _ in first })
            let deliveries = Dictionary(grouping: try snapshot.notifications(in: everything)) { $0.runId ?? -1 }
            let faults = try snapshot.storageFaults(overlapping: everything)
            for run in try snapshot.runs() {
                let standing = vantage ?? run.vantage
                let earlier = present.first {
                    ($0.startedMs, $0.host, $0.pid, $0.version, $0.vantage)
                        == (run.startedMs, run.host, run.pid, run.version, standing)
                }
                if let earlier, earlier.heartbeatMs >= run.heartbeatMs, earlier.stoppedMs == run.stoppedMs {
                    summary.runsPresent += 1
                    continue
                }
                let probed = targets.filter { $0.policies[run.id] != nil }
                let scheduled = try probed.map { target in
                    ScheduledTarget(
                        target: Target(name: target.name, kind: target.kind,
                                       endpoint: try Endpoint(parsing: target.runUrls[run.id] ?? target.url),
                                       labels: target.labels),
                        policy: target.policies[run.id]!)
                }
                let runId: Int64
                var ids: [Int64: Int64] = [:]
                if let earlier {
                    runId = earlier.id
                    let names = try destination.targetNames()
                    let byName = Dictionary(names.map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
                    for target in probed { ids[target.id] = byName[target.name] }
                    try writer.resumeRun(runId, targets: probed.compactMap { target in
                        ids[target.id].map { ($0, target.policies[run.id]!.intervalMs) }
                    })
                    summary.runsResumed += 1
                } else {
                    let began = try writer.beginRun(startedMs: run.startedMs, host: run.host, vantage: standing,
                                                    pid: run.pid, version: run.version, targets: scheduled,
                                                    exclusive: false)
                    runId = began.runId
                    for (target, id) in zip(probed, began.targetIds) { ids[target.id] = id }
                    summary.runsCopied += 1
                }
                // Rounds an interrupted copy stored already end at its heartbeat.
                let after = earlier?.heartbeatMs ?? Int64.min
                var batch: [RecordedRound] = []
                let end = max(run.heartbeatMs, run.stoppedMs ?? run.heartbeatMs) + 1
                try snapshot.forEachRound(in: [SlotStretch(run.startedMs..<end, targetId: nil)]) { stored in
                    for round in stored where round.runId == run.id && round.round.scheduledMs > after {
                        guard let id = ids[round.targetId] else { continue }
                        let key = RoundKey(targetId: round.targetId, runId: run.id, slotMs: round.round.scheduledMs)
                        batch.append(RecordedRound(targetId: id, round: round.round, transition: transitions[key]))
                        if batch.count >= batchSize {
                            try writer.append(batch, runId: runId, heartbeatMs: round.round.scheduledMs)
                            summary.rounds += batch.count
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                }
                // A run's storage faults end while it runs; those the destination has are not written again.
                for fault in faults where fault.toMs >= run.startedMs && fault.toMs < end
                    && !presentFaults.contains(where: { $0.fromMs == fault.fromMs && $0.toMs == fault.toMs })
                {
                    try writer.append([], deliveries: [], runId: runId, heartbeatMs: max(after, run.startedMs),
                                      endingFault: fault)
                }
                let notices = (deliveries[run.id] ?? []).compactMap { delivery -> NotificationDelivery? in
                    guard let id = ids[delivery.targetId] else { return nil }
                    var copied = delivery
                    copied.targetId = id
                    return copied
                }
                // The last batch carries the run's heartbeat and its notices: once it is in, the run is whole.
                try writer.append(batch, deliveries: notices, runId: runId, heartbeatMs: run.heartbeatMs,
                                  endingFault: nil)
                summary.rounds += batch.count
                if let stoppedMs = run.stoppedMs { try writer.finishRun(runId, stoppedMs: stoppedMs) }
            }
            summary.maintenance = try copyMaintenance(snapshot, names: targets, present: presentMaintenance,
                                                      writer: writer, destination: destination)
        }
        writer.checkpoint()
        return summary
    }

    /// Writes the maintenance windows the destination lacks (by target, start, end and note), deleted ones deleted.
    private func copyMaintenance(_ snapshot: any HistorySnapshot, names targets: [StoredTarget],
                                 present: [MaintenanceWindow], writer: any HistoryWriting,
                                 destination: any HistoryReading) throws -> Int {
        let names = Dictionary(uniqueKeysWithValues: targets.map { ($0.id, $0.name) })
        let presentNames = try destination.targetNames()
        func same(_ a: MaintenanceWindow, _ aName: String?, _ b: MaintenanceWindow, _ bName: String?) -> Bool {
            (a.fromMs, a.toMs, a.note) == (b.fromMs, b.toMs, b.note) && aName == bName
        }
        var written = 0
        // In the order they were written, so a fresh destination gives them the same ids.
        for window in try snapshot.maintenance(overlapping: Int64.min..<Int64.max).sorted(by: { $0.id < $1.id }) {
            let name = window.targetId.flatMap { names[$0] }
            guard !present.contains(where: { same($0, $0.targetId.flatMap { presentNames[$0] }, window, name) })
            else { continue }
            try writer.annotateMaintenance(targetName: name, fromMs: window.fromMs, toMs: window.toMs,
                                           note: window.note, createdMs: window.fromMs)
            written += 1
            if let deletedMs = window.deletedMs {
                let added = try destination.maintenanceWindows().last {
                    same($0, $0.targetId.flatMap { presentNames[$0] }, window, name) && $0.deletedMs == nil
                }
                if let added { _ = try writer.deleteMaintenance(id: added.id, deletedMs: deletedMs) }
            }
        }
        return written
    }
}

/// A round's identity in the source history.
private struct RoundKey: Hashable {
    var targetId: Int64
    var runId: Int64
    var slotMs: Int64
}

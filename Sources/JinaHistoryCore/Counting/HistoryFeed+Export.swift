/// The raw tables `jina-history export` writes, one row per stored fact (reports/export.schema.json).
public enum ExportTable: String, Sendable, CaseIterable {
    /// Every scheduled round: verdict, attempts made, lag and duration.
    case rounds
    /// Every attempt, the inline healthy ones included, with its class, raw code and message.
    case attempts
    /// Every state change the recorder saw.
    case transitions
    /// The outages of the report, as the report counts them.
    case outages

    /// Column names, in order; every table ends with the target's `labels`. A run's `vantage` follows it.
    public var columns: [String] {
        switch self {
        case .rounds:
            ["target", "run", "vantage", "scheduled_at", "verdict", "attempts", "start_lag_ms", "duration_ms", "labels"]
        case .attempts:
            ["target", "run", "vantage", "scheduled_at", "role", "n", "started_at", "duration_ms", "ok", "class", "raw_code",
             "exception", "deployment", "message", "labels"]
        case .transitions:
            ["target", "run", "vantage", "at", "from", "to", "streak_started_at", "class", "message", "labels"]
        case .outages:
            ["target", "started_at", "confirmed_at", "ended_at", "duration_s", "failed_rounds", "layer", "class",
             "exception", "deployment", "message", "vantages", "labels"]
        }
    }
}

/// One cell of an export row, typed; `nil` cells are missing values (`null`, an empty CSV field).
public enum ExportValue: Hashable, Sendable {
    /// Text, or a time as RFC 3339 UTC.
    case text(String)
    /// A whole number.
    case integer(Int64)
    /// A fraction (milliseconds, seconds).
    case number(Double)
    /// A yes or no.
    case bool(Bool)
    /// The target's labels.
    case labels([String: String])
}

extension HistoryFeed {
    /// Hands `table`'s rows of `window` (by slot or transition time), for the target named `target` or all, to
    /// `row` in time order (ties by target name), each cell lined up with ``ExportTable/columns``. Text that is
    /// empty is `nil`, as in the report's JSON.
    ///
    /// - throws: ``JinaHistoryError`` for an unknown target (naming the known ones), the store's errors, or what
    ///   `row` throws.
    public static func export(_ snapshot: any HistorySnapshot, table: ExportTable, window: ReportWindow,
                              target: String?, row: ([ExportValue?]) throws -> Void) throws {
        let targets = try snapshot.targets()
        let only = try target.map { try requireTarget(named: $0, in: targets) }
        let byId = Dictionary(uniqueKeysWithValues: targets.map { ($0.id, $0) })
        let vantageOfRun = Dictionary(try snapshot.runs().map { ($0.id, $0.vantage) }, uniquingKeysWith: { a, _ in a })
        func vantage(_ runId: Int64) -> ExportValue? { vantageOfRun[runId].map { .text($0) } }
        switch table {
        case .outages:
            for report in try report(snapshot, window: window).targets where only == nil || report.name == only?.name {
                for outage in report.outages { try row(cells(outage, of: report)) }
            }
        case .transitions:
            let stored = try snapshot.transitions(in: window.sinceMs..<window.untilMs)
                .compactMap { stored in byId[stored.targetId].map { (stored, $0) } }
                .filter { only == nil || $0.1.id == only?.id }
            for (stored, target) in stored.sorted(by: { ($0.0.transition.atMs, $0.1.name) < ($1.0.transition.atMs, $1.1.name) }) {
                try row(cells(stored, of: target, vantage: vantage(stored.runId)))
            }
        case .rounds, .attempts:
            // The store gives rounds by slot, target id and run: the rounds of one slot are put in name order.
            var slot: [(StoredRound, StoredTarget)] = []
            func flush() throws {
                for (stored, target) in slot.sorted(by: { ($0.1.name, $0.0.runId) < ($1.1.name, $1.0.runId) }) {
                    if table == .rounds {
                        try row(cells(stored, of: target, vantage: vantage(stored.runId)))
                    } else {
                        for attempt in stored.round.attempts {
                            try row(cells(attempt, of: stored, target, vantage: vantage(stored.runId)))
                        }
                    }
                }
                slot.removeAll(keepingCapacity: true)
            }
            let stretch = SlotStretch(window.sinceMs..<max(window.sinceMs, window.untilMs), targetId: only?.id)
            try snapshot.forEachRound(in: [stretch]) { batch in
                for stored in batch {
                    guard let target = byId[stored.targetId], only == nil || only?.id == target.id else { continue }
                    if let first = slot.first, first.0.round.scheduledMs != stored.round.scheduledMs { try flush() }
                    slot.append((stored, target))
                }
            }
            try flush()
        }
    }

    private static func cells(_ stored: StoredRound, of target: StoredTarget, vantage: ExportValue?)
        -> [ExportValue?]
    {
        let round = stored.round
        return [
            .text(target.name), .integer(stored.runId), vantage, .text(TimeText.rfc3339(round.scheduledMs)),
            .text("\(round.verdict)"), .integer(Int64(round.readinessAttempts.count)), .integer(round.startLagMs),
            .number(Double(round.durationUs) / 1_000), .labels(target.labels),
        ]
    }

    private static func cells(_ attempt: AttemptRecord, of stored: StoredRound, _ target: StoredTarget,
                              vantage: ExportValue?) -> [ExportValue?]
    {
        let failure = attempt.failure
        return [
            .text(target.name), .integer(stored.runId), vantage, .text(TimeText.rfc3339(stored.round.scheduledMs)),
            .text(attempt.role == .readiness ? "readiness" : "gateway_liveness"), .integer(Int64(attempt.number)),
            .text(TimeText.rfc3339(attempt.startedMs)), .number(Double(attempt.durationUs) / 1_000),
            .bool(attempt.succeeded), failure.map { .text($0.errorClass.rawValue) },
            attempt.rawCode.map { .integer(Int64($0)) }, text(failure?.exception), text(failure?.deployment),
            text(failure?.message), .labels(target.labels),
        ]
    }

    private static func cells(_ stored: StoredTransition, of target: StoredTarget, vantage: ExportValue?)
        -> [ExportValue?]
    {
        let transition = stored.transition
        return [
            .text(target.name), .integer(stored.runId), vantage, .text(TimeText.rfc3339(transition.atMs)),
            .text(transition.from.rawValue), .text(transition.to.rawValue),
            .text(TimeText.rfc3339(transition.streakStartedMs)), transition.failure.map { .text($0.errorClass.rawValue) },
            text(transition.failure?.message), .labels(target.labels),
        ]
    }

    private static func cells(_ outage: Outage, of target: TargetReport) -> [ExportValue?] {
        let failure = outage.firstFailure
        return [
            .text(target.name), .text(TimeText.rfc3339(outage.startedMs)), .text(TimeText.rfc3339(outage.confirmedMs)),
            outage.endedMs.map { .text(TimeText.rfc3339($0)) }, .number(Double(outage.durationMs) / 1_000),
            .integer(Int64(outage.failedRounds)), outage.layer.map { .text($0.rawValue) },
            failure.map { .text($0.errorClass.rawValue) }, text(failure?.exception), text(failure?.deployment),
            text(failure?.message), text(outage.vantages.joined(separator: ",")), .labels(target.labels),
        ]
    }

    /// Text, or `nil` when there is none: exports say "none" as the report's JSON does, with `null`.
    private static func text(_ value: String?) -> ExportValue? {
        value.flatMap { $0.isEmpty ? nil : .text($0) }
    }
}

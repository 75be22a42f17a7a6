public import JinaHistoryCore

/// Renders a ``Timeline`` for programs (`timeline --format json`, `serve`'s `/api/v1/timeline`): the entries in
/// time order, each with its `type`, as `reports/timeline.schema.json` describes. Times are RFC 3339 UTC,
/// latencies milliseconds.
public enum TimelineJSONRenderer {
    /// The document's schema version.
    public static let schemaVersion = 1

    /// The timeline as one JSON document, ending with a newline.
    public static func render(_ timeline: Timeline, window: ReportWindow) -> String {
        JSONText.pretty(.object([
            "schema_version": .integer(Int64(schemaVersion)),
            "window": .object([
                "since": time(window.sinceMs), "until": time(window.untilMs), "zone": .string(window.zoneName),
            ]),
            "rounds_pruned_before": timeline.roundsPrunedBeforeMs.map(time) ?? .null,
            "entries": .array(timeline.entries.map(entry)),
        ])) + "\n"
    }

    private static func time(_ ms: Int64) -> JSONValue { .string(TimeText.rfc3339(ms)) }

    private static func ms(_ us: Int64) -> JSONValue { .number(Double(us) / 1_000) }

    private static func entry(_ dated: Timeline.Dated) -> JSONValue {
        var fields: [String: JSONValue] = ["at": time(dated.atMs)]
        switch dated.entry {
        case .recorderStarted(let run):
            fields["type"] = .string("recorder_started")
            fields["run"] = .integer(run.id)
            fields["host"] = .string(run.host)
            fields["pid"] = .integer(Int64(run.pid))
            fields["version"] = .string(run.version)
        case .recorderEnded(let run, let crashed):
            fields["type"] = .string("recorder_ended")
            fields["run"] = .integer(run.id)
            fields["crashed"] = .bool(crashed)
        case .transition(let target, let transition):
            fields["type"] = .string("transition")
            fields["target"] = .string(target)
            fields["from"] = .string(transition.from.rawValue)
            fields["to"] = .string(transition.to.rawValue)
            fields["streak_started_at"] = time(transition.streakStartedMs)
            fields["error_class"] = transition.failure.map { .string($0.errorClass.rawValue) } ?? .null
        case .round(let target, let round):
            fields["type"] = .string("round")
            fields["target"] = .string(target)
            fields["verdict"] = .string("\(round.verdict)")
            fields["attempts"] = .array(round.attempts.map { attempt in
                .object([
                    "role": .string(attempt.role == .readiness ? "readiness" : "gateway_liveness"),
                    "number": .integer(Int64(attempt.number)), "started_at": time(attempt.startedMs),
                    "duration_ms": ms(attempt.durationUs), "ok": .bool(attempt.succeeded),
                    "error_class": attempt.failure.map { .string($0.errorClass.rawValue) } ?? .null,
                    "raw_code": attempt.rawCode.map { .integer(Int64($0)) } ?? .null,
                    "message": attempt.failure.map { .string($0.message) } ?? .null,
                ])
            })
        case .healthyRounds(let target, let count, let lastMs, let meanUs, let maxUs):
            fields["type"] = .string("healthy_rounds")
            fields["target"] = .string(target)
            fields["count"] = .integer(Int64(count))
            fields["last_at"] = time(lastMs)
            fields["latency_mean_ms"] = ms(meanUs)
            fields["latency_max_ms"] = ms(maxUs)
        case .similarRounds(let target, let count, let lastMs, let latency, let gatewayUp):
            fields["type"] = .string("similar_rounds")
            fields["target"] = .string(target)
            fields["count"] = .integer(Int64(count))
            fields["last_at"] = time(lastMs)
            fields["latency_p50_ms"] = latency.map { ms($0.medianUs) } ?? .null
            fields["latency_max_ms"] = latency.map { ms($0.maxUs) } ?? .null
            fields["gateway_up"] = gatewayUp.map { .bool($0) } ?? .null
        case .notification(let target, let delivery):
            fields["type"] = .string("notification")
            fields["target"] = .string(target)
            fields["event"] = .string(delivery.event.rawValue)
            fields["destination"] = .string(delivery.destination)
            fields["outcome"] = .string(delivery.outcome.rawValue)
            fields["attempts"] = .integer(Int64(delivery.attempts))
            fields["status"] = delivery.status.map { .integer(Int64($0)) } ?? .null
            fields["error"] = .string(delivery.error)
            fields["finished_at"] = time(delivery.finishedMs)
        }
        return .object(fields)
    }
}

import Foundation
public import JinaHistoryCore

/// Renders a report as JSON for programs: the shape in `reports/report.schema.json`, times as RFC 3339 UTC with
/// milliseconds, durations in seconds, `null` where there is no data (never a made-up 100%).
public enum JSONReportRenderer {
    /// The report as pretty-printed JSON with sorted keys.
    public static func render(_ report: HistoryReport) -> String {
        JSONText.pretty(document(report))
    }

    /// The same text as UTF-8 bytes ending in a newline, as `report --format json` writes it: a month's text is
    /// not copied into a string and back.
    public static func renderLine(_ report: HistoryReport) -> [UInt8] {
        JSONText.prettyBytes(document(report), terminator: "\n")
    }

    private static func document(_ report: HistoryReport) -> JSONObject {
        [
            "schema_version": HistoryReport.schemaVersion,
            "generated_at": TimeText.rfc3339(report.generatedAtMs),
            "window": [
                "since": TimeText.rfc3339(report.window.sinceMs), "until": TimeText.rfc3339(report.window.untilMs),
                "tz": report.window.zoneName,
            ] as JSONObject,
            "method": [
                "availability": report.method.availability, "staleness_cap": report.method.stalenessCap,
                "crashed_run_tail": report.method.crashedRunTail, "percentiles": report.method.percentiles,
                "source": report.method.source, "raw_rounds": report.method.rawRounds,
                "rollup_spans": report.method.rollupSpans, "outage_merge_gap_s": seconds(report.method.outageMergeGapMs),
            ] as JSONObject,
            "targets": report.targets.map(target),
            "storage_faults": report.storageFaults.map { fault -> JSONObject in
                [
                    "from": TimeText.rfc3339(fault.fromMs), "to": TimeText.rfc3339(fault.toMs),
                    "duration_s": seconds(fault.durationMs), "failed_writes": fault.failedWrites,
                    "rounds_dropped": fault.roundsDropped, "error": fault.message,
                ]
            },
        ]
    }

    private static func target(_ target: TargetReport) -> JSONMembers {
        var object = JSONMembers([
            "name": target.name, "kind": target.kind.rawValue, "url": target.url, "labels": target.labels,
            "availability": target.availability, "coverage": target.coverage,
            "up_s": seconds(target.upMs), "down_s": seconds(target.downMs),
            "maintenance_s": seconds(target.maintenanceMs), "unknown_s": seconds(target.unknownMs),
            "round_success_ratio": target.roundSuccessRatio,
            "attempt_success_ratio": target.attemptSuccessRatio,
            "rounds": [
                "total": target.rounds.total, "up": target.rounds.up, "down": target.rounds.down,
                "skipped": target.rounds.skipped, "flaky": target.rounds.flaky,
            ] as JSONObject,
            "attempts": ["total": target.attempts.total, "ok": target.attempts.ok] as JSONObject,
            "latency_ms": latency(target.successLatency),
            "time_to_fail_ms": latency(target.failureLatency),
            "outages": target.outages.map { OutageJSON(outage: $0, ofVantages: !target.vantages.isEmpty) },
            "notifications": [
                "sent": target.notifications.sent, "failed": target.notifications.failed,
                "not_sent": target.notifications.notSent,
            ] as JSONObject,
            "strip": String(target.strip.map(\.symbol)),
            "policy": target.policy.map { policy -> JSONObject in
                [
                    "interval_s": seconds(policy.intervalMs), "timeout_s": seconds(policy.timeoutMs),
                    "attempts": policy.attempts, "retry_delay_s": seconds(policy.retryDelayMs),
                    "min_successful_attempts": policy.minSuccesses, "failure_threshold": policy.failureThreshold,
                    "success_threshold": policy.successThreshold,
                ]
            },
            "maintenance": target.maintenance.map(maintenance),
            "deleted_maintenance": target.deletedMaintenance.map(maintenance),
            "gaps": target.gaps.map { gap -> JSONObject in
                [
                    "started_at": TimeText.rfc3339(gap.startedMs), "ended_at": TimeText.rfc3339(gap.endedMs),
                    "duration_s": seconds(gap.durationMs), "cause": gap.cause.rawValue,
                ]
            },
        ])
        // Only where several vantages recorded the target (docs/semantics.md §9): with one, the object is as it was.
        if let vantage = target.vantage {
            object["vantage"] = vantage
            object["outages"] = target.outages.map { OutageJSON(outage: $0, ofVantage: true) }
        }
        if !target.vantages.isEmpty {
            object["partial_s"] = seconds(target.partialMs)
            object["availability_everywhere"] = target.availabilityEverywhere
            object["partial_outages"] = target.partialOutages.map { partial -> JSONObject in
                [
                    "started_at": TimeText.rfc3339(partial.startedMs), "ended_at": TimeText.rfc3339(partial.endedMs),
                    "duration_s": seconds(partial.durationMs), "failing": partial.failing,
                    "reachable": partial.reachable, "vantage_wide": partial.vantageWide,
                ]
            }
            object["vantages"] = target.vantages.map(Self.target)
        }
        return object
    }

    /// An outage's object, written member by member: a month's report writes thousands of them.
    private struct OutageJSON: JSONWritable {
        let outage: Outage
        /// Of a combined view: the vantages that saw it.
        var ofVantages = false
        /// Of one vantage's account beside others: whether it was vantage-wide.
        var ofVantage = false

        func writeJSON(depth: Int, into text: inout [UInt8]) {
            let failure = outage.firstFailure
            var object = JSONText.ObjectWriter(depth: depth, into: &text)
            object.member("confirmed_at", TimeText.rfc3339(outage.confirmedMs), into: &text)
            object.member("deployment", failure.map(\.deployment).flatMap { $0.isEmpty ? nil : $0 }, into: &text)
            object.member("duration_s", seconds(outage.durationMs), into: &text)
            object.member("ended_at", outage.endedMs.map(TimeText.rfc3339), into: &text)
            object.member("error_class", failure?.errorClass.rawValue, into: &text)
            object.member("error_message", failure?.message, into: &text)
            object.member("exception", failure.map(\.exception).flatMap { $0.isEmpty ? nil : $0 }, into: &text)
            object.member("failed_rounds", outage.failedRounds, into: &text)
            object.member("flaps", outage.flaps, into: &text)
            object.member("layer", outage.layer?.rawValue, into: &text)
            object.member("ongoing", outage.endedMs == nil, into: &text)
            object.member("started_at", TimeText.rfc3339(outage.startedMs), into: &text)
            if ofVantage { object.member("vantage_wide", outage.vantageWide, into: &text) }
            if ofVantages { object.member("vantages", outage.vantages, into: &text) }
            object.end(into: &text)
        }
    }

    /// A maintenance window; a deleted one also says when it was deleted.
    private static func maintenance(_ window: MaintenanceWindow) -> JSONObject {
        [
            "id": window.id, "from": TimeText.rfc3339(window.fromMs), "to": TimeText.rfc3339(window.toMs),
            "duration_s": seconds(window.toMs - window.fromMs), "note": window.note,
            "all_targets": window.targetId == nil, "deleted_at": window.deletedMs.map(TimeText.rfc3339),
        ]
    }

    private static func latency(_ summary: LatencySummary) -> JSONObject {
        [
            "count": summary.count, "mean": summary.mean, "p50": summary.p50, "p90": summary.p90, "p95": summary.p95,
            "p99": summary.p99, "min": summary.min, "max": summary.max, "stddev": summary.stddev,
        ]
    }

    private static func seconds(_ ms: Int64) -> Double { Double(ms) / 1_000 }
}

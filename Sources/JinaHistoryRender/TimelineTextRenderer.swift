import Foundation
public import JinaHistoryCore

/// Renders a ``Timeline`` for people: one line per entry, a failed round's attempts indented under it, times
/// in the window's zone with their offset.
public enum TimelineTextRenderer {
    /// The timeline as text, ending with a newline.
    public static func render(_ timeline: Timeline, window: ReportWindow) -> String {
        func time(_ epochMs: Int64) -> String { TimeText.rfc3339(epochMs, zone: window.zone) }
        var lines = ["jina-history timeline  \(time(window.sinceMs)) .. \(time(window.untilMs))  (times in \(window.zoneName))"]
        if let prunedMs = timeline.roundsPrunedBeforeMs {
            lines.append("raw rounds before \(time(prunedMs)) were pruned: their healthy rounds are not listed here "
                + "(transitions, outages' rounds and recorder runs are; report keeps their time and counts)")
        }
        if timeline.entries.isEmpty { lines.append("no evidence in this window") }
        for dated in timeline.entries {
            let at = time(dated.atMs)
            switch dated.entry {
            case .recorderStarted(let run):
                lines.append("\(at)  recorder run \(run.id) started (pid \(run.pid) on \(run.host), jina-history \(run.version))")
            case .recorderEnded(let run, let crashed):
                lines.append(crashed
                    ? "\(at)  recorder run \(run.id) crashed after its last heartbeat: what follows is unknown until the next run"
                    : "\(at)  recorder run \(run.id) stopped cleanly")
            case .transition(let target, let transition):
                var line = "\(at)  \(target)  \(transition.from.rawValue) -> \(transition.to.rawValue)"
                if transition.to == .down { line += " (streak since \(time(transition.streakStartedMs)))" }
                if let failure = transition.failure { line += "  \(failure.errorClass.rawValue)" }
                lines.append(line)
            case .healthyRounds(let target, let count, let lastMs, let meanUs, let maxUs):
                lines.append("\(at)  \(target)  \(count) healthy round\(count == 1 ? "" : "s")"
                    + (count > 1 ? " until \(time(lastMs))" : "")
                    + String(format: ", latency mean %.1f ms, max %.1f ms", Double(meanUs) / 1_000, Double(maxUs) / 1_000))
            case .similarRounds(let target, let count, let lastMs, let latency, let gatewayUp):
                let details = [
                    latency.map {
                        String(format: "latency p50 %.1f ms, max %.1f ms", Double($0.medianUs) / 1_000,
                               Double($0.maxUs) / 1_000)
                    },
                    gatewayUp.map { $0 ? "gateway up" : "gateway down" },
                ].compactMap { $0 }
                lines.append("\(at)  \(target)  \(count) more rounds like this until \(time(lastMs))"
                    + (details.isEmpty ? "" : " (\(details.joined(separator: "; ")))"))
            case .notification(let target, let delivery):
                lines.append("\(at)  \(target)  notification \(delivery.event.rawValue) to \(delivery.destination): "
                    + NotificationOutcomeText.describe(delivery))
            case .round(let target, let round):
                let verdict = round.verdict == .up ? "up after retries" : "\(round.verdict)"
                lines.append("\(at)  \(target)  round \(verdict)"
                    + (round.verdict == .skipped ? " (the previous round was still running)" : ""))
                for attempt in round.attempts {
                    let what = attempt.role == .gatewayLiveness ? "gateway  " : "attempt \(attempt.number)"
                    var line = "    \(time(attempt.startedMs))  \(what)  "
                        + String(format: "%.1f ms", Double(attempt.durationUs) / 1_000)
                    if let failure = attempt.failure {
                        line += "  \(failure.errorClass.rawValue)" + (attempt.rawCode.map { " (code \($0))" } ?? "")
                        line += "  \(failure.oneLineMessage(limit: 150))"
                    } else {
                        line += "  ok"
                    }
                    lines.append(line)
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

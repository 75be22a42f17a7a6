/// Decides which of one target's rounds are told (docs/notifications.md): a confirmed `down`, the `up` that ends
/// an outage, and reminders while it lasts. It follows outages as reports count them (``ReportBuilder``), so a
/// notice's start, failed rounds and duration are the report's.
///
/// A first verdict of `up` at a recorder's start is not told: nothing was wrong. A first `down` is.
public struct OutageNoticeTracker: Sendable {
    private let target: Target
    private let repeatMs: Int64?
    private let host: String
    private let vantage: String
    /// Down rounds since the last round that was not down, with the first one's layer and raw code.
    private var downStreak: (count: Int, layer: Outage.Layer?, rawCode: Int?) = (0, nil, nil)
    /// The outage being followed: its `down` transition, failed rounds, layer and code, and the last notice's time.
    private var outage: (transition: Transition, failedRounds: Int, layer: Outage.Layer?, rawCode: Int?, toldMs: Int64)?

    /// Follows `target`; `repeatMs` is the reminder period (`nil`: none); `host` and `vantage` (by default the
    /// host) name the recorder in notices.
    public init(target: Target, repeatMs: Int64?, host: String, vantage: String? = nil) {
        self.target = target
        self.repeatMs = repeatMs
        self.host = host
        self.vantage = vantage ?? host
    }

    /// Feeds one round and the transition it caused (every round, skipped ones too, in slot order); returns the
    /// notice it makes, if any. `nowMs` is when the round was handed over.
    public mutating func observe(_ round: RoundRecord, transition: Transition?, nowMs: Int64) -> TransitionNotice? {
        if round.verdict == .down {
            if downStreak.count == 0 {
                downStreak = (0, Outage.Layer(of: round), round.readinessAttempts.first { !$0.succeeded }?.rawCode)
            }
            downStreak.count += 1
            outage?.failedRounds += 1
        } else {
            downStreak = (0, nil, nil)
        }
        if let transition {
            switch transition.to {
            case .down where outage == nil:
                outage = (transition, downStreak.count, downStreak.layer, downStreak.rawCode, nowMs)
                return notice(.down, about: transition, endedMs: nil, nowMs: nowMs)
            case .up:
                guard let open = outage else { return nil }
                let told = notice(.up, about: open.transition, endedMs: transition.streakStartedMs, nowMs: nowMs)
                outage = nil
                return told.map {
                    var recovery = $0
                    (recovery.from, recovery.to, recovery.transitionAtMs) = (.down, .up, transition.atMs)
                    return recovery
                }
            default:
                return nil
            }
        }
        guard let repeatMs, let open = outage, nowMs - open.toldMs >= repeatMs else { return nil }
        outage?.toldMs = nowMs
        return notice(.reminder, about: open.transition, endedMs: nil, nowMs: nowMs)
    }

    private func notice(_ event: TransitionNotice.Event, about down: Transition, endedMs: Int64?, nowMs: Int64)
        -> TransitionNotice?
    {
        guard let open = outage else { return nil }
        return TransitionNotice(
            event: event, target: target.name, kind: target.kind, url: target.endpoint.description,
            from: event == .reminder ? .down : down.from, to: .down, transitionAtMs: down.atMs,
            outageStartedMs: down.streakStartedMs, confirmedMs: down.atMs, endedMs: endedMs,
            failedRounds: open.failedRounds, failure: down.failure, rawCode: open.rawCode, layer: open.layer,
            host: host, vantage: vantage, madeMs: nowMs)
    }
}

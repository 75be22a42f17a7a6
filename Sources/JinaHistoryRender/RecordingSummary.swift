import Foundation
public import JinaHistoryCore

/// What one `record` run recorded, per target, for what it says when it stops: rounds by verdict, the outages it
/// saw open (a transition to down) and close (down to up), and its notifications by outcome.
public struct RecordingSummary: Sendable {
    /// One target's share.
    public struct Tally: Sendable, Equatable {
        /// The target's name.
        public var name: String
        /// Rounds by verdict.
        public var up = 0, down = 0, skipped = 0
        /// Transitions to down, and from down to up.
        public var outagesOpened = 0, outagesClosed = 0
        /// Notifications by outcome.
        public var notifications = NotificationCounts()

        /// Every round.
        public var rounds: Int { up + down + skipped }
    }

    /// Per target, in the order given.
    public private(set) var targets: [Tally]
    private let index: [String: Int]

    /// Starts with nothing recorded for `targetNames`.
    public init(targetNames: [String]) {
        targets = targetNames.map { Tally(name: $0) }
        index = Dictionary(targetNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Counts a round of the target named `name`, and the transition it made.
    public mutating func observe(_ name: String, _ round: RoundRecord, _ transition: Transition?) {
        guard let position = index[name] else { return }
        switch round.verdict {
        case .up: targets[position].up += 1
        case .down: targets[position].down += 1
        case .skipped: targets[position].skipped += 1
        }
        if transition?.to == .down { targets[position].outagesOpened += 1 }
        if transition?.from == .down && transition?.to == .up { targets[position].outagesClosed += 1 }
    }

    /// Counts a notification's outcome for the target named `name`.
    public mutating func observe(_ name: String, _ delivery: NotificationDelivery) {
        guard let position = index[name] else { return }
        targets[position].notifications.count(delivery)
    }

    /// The lines said at the stop: the totals and the database, one line per target, and the command that reports
    /// the run (from its start).
    public func lines(database: String, startedMs: Int64) -> [String] {
        let total = targets.map(\.rounds).reduce(0, +)
        let width = targets.map(\.name.count).max() ?? 0
        var lines = ["recorded \(total) round\(total == 1 ? "" : "s") of \(targets.count) target"
            + "\(targets.count == 1 ? "" : "s") into \(database):"]
        for tally in targets {
            let verdicts = [(tally.up, "up"), (tally.down, "down"), (tally.skipped, "skipped")]
                .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            let outages = tally.outagesOpened == 0 && tally.outagesClosed == 0 ? "no outage"
                : "outages: \(tally.outagesOpened) opened, \(tally.outagesClosed) closed"
            lines.append("  " + tally.name.padding(toLength: width, withPad: " ", startingAt: 0)
                + "  \(tally.rounds) round\(tally.rounds == 1 ? "" : "s")" + (verdicts.isEmpty ? "" : " (\(verdicts))")
                + "; \(outages)" + Self.describe(tally.notifications))
        }
        lines.append("report it: jina-history report --db \(Self.shellQuoted(database)) --since "
            + TimeText.rfc3339(startedMs))
        return lines
    }

    /// "; notifications: 2 sent, 1 failed", or nothing when there were none.
    private static func describe(_ counts: NotificationCounts) -> String {
        let parts = [(counts.sent, "sent"), (counts.failed, "failed"), (counts.notSent, "not sent")]
            .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        return parts.isEmpty ? "" : "; notifications: " + parts.joined(separator: ", ")
    }

    /// `text` as one shell word: as it is when it holds only safe characters, else in single quotes.
    private static func shellQuoted(_ text: String) -> String {
        let safe = text.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:@%,=".contains($0) }
        return safe && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

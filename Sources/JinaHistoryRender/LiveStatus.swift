public import Foundation
public import JinaHistoryCore

/// What `record` shows on a terminal while it runs: one line per target with its state, since when, its last
/// latency and its availability so far in this run (up rounds over up and down rounds: on a fixed grid that is
/// the time-weighted availability, skipped slots aside).
public struct LiveStatus: Sendable {
    /// One target's line.
    public struct Entry: Sendable, Equatable {
        /// Target name.
        public var name: String
        /// Current state (the recorder's state machine).
        public var state: TargetState = .unknown
        /// When the state was entered (the run's start for `unknown`), UTC epoch ms.
        public var sinceMs: Int64
        /// The last round's duration in ms, if one ran.
        public var lastLatencyMs: Double?
        /// The last failure's class, shown while down.
        public var lastErrorClass: ErrorClass?
        /// Up and down rounds so far.
        public var upRounds = 0
        /// Down rounds so far.
        public var downRounds = 0
    }

    /// The targets, in the order given to the recorder.
    public private(set) var entries: [Entry]
    private let index: [String: Int]

    /// Every target `unknown` since `startMs`.
    public init(targetNames: [String], startMs: Int64) {
        entries = targetNames.map { Entry(name: $0, sinceMs: startMs) }
        index = Dictionary(targetNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Takes in a finished round of `name` and the state change it caused, if any.
    public mutating func observe(_ name: String, _ round: RoundRecord, _ transition: Transition?) {
        guard let position = index[name] else { return }
        var entry = entries[position]
        switch round.verdict {
        case .skipped: return
        case .up: entry.upRounds += 1
        case .down:
            entry.downRounds += 1
            entry.lastErrorClass = round.firstFailure?.errorClass
        }
        entry.lastLatencyMs = Double(round.durationUs) / 1_000
        if let transition {
            entry.state = transition.to
            entry.sinceMs = transition.streakStartedMs
        }
        entries[position] = entry
    }

    /// The view at `nowMs`, `width` columns wide: a header line, then one line per target.
    public func render(nowMs: Int64, width: Int, zone: TimeZone = .current) -> [String] {
        let nameWidth = max(8, min(entries.map(\.name.count).max() ?? 8, width - 60))
        let header = "target".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            + "  state    since                       last ms  availability"
        return [String(header.prefix(width))] + entries.map { entry in
            let name = entry.name.oneLine(limit: nameWidth)
            let state = entry.state == .down ? "DOWN" : entry.state.rawValue
            let time = TimeText.rfc3339(entry.sinceMs, zone: zone)
            let since = String(time.dropFirst(11).prefix(8)) + " (" + Self.duration(nowMs - entry.sinceMs) + ")"
            let latency = entry.lastLatencyMs.map { String(format: "%.1f", $0) } ?? "-"
            let judged = entry.upRounds + entry.downRounds
            let availability = judged == 0
                ? "-" : ReportNumberText.percent(Int64(entry.upRounds), of: Int64(judged))
            var line = name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                // The longest state, "unknown", still leaves two spaces before the time.
                + state.padding(toLength: 9, withPad: " ", startingAt: 0)
                + since.padding(toLength: 26, withPad: " ", startingAt: 0)
                + String(repeating: " ", count: max(0, 9 - latency.count)) + latency
                + String(repeating: " ", count: max(0, 14 - availability.count)) + availability
            if entry.state == .down, let errorClass = entry.lastErrorClass { line += "  " + errorClass.rawValue }
            return String(line.prefix(width))
        }
    }

    /// `42s`, `5m12s`, `3h04m`, `2d07h`.
    static func duration(_ ms: Int64) -> String {
        let seconds = max(0, ms / 1_000)
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3_600: return "\(seconds / 60)m\(String(format: "%02d", seconds % 60))s"
        case ..<86_400: return "\(seconds / 3_600)h\(String(format: "%02d", seconds % 3_600 / 60))m"
        default: return "\(seconds / 86_400)d\(String(format: "%02d", seconds % 86_400 / 3_600))h"
        }
    }
}

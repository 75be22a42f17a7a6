import JinaHistoryCore

/// The status board, made at most once per period: a page that refreshes itself, opened by many people during an
/// incident, reads the history once per period, not once per request. Past the period the board is made again in
/// the background while the one there is goes on being served, so no request waits for it but the very first.
///
/// The period is 5 s, or five times as long as the last board took to make, whichever is longer: a month of 100
/// targets at 1 s took 5.1 s (docs/benchmarks.md), and remaking it every 5 s would keep a core busy for nobody.
/// The board is made outside ``ReadSlots``, so the requests that read meanwhile are not queued behind it.
actor BoardCache {
    /// The shortest time a board is served before a new one is made.
    static let freshMs: Int64 = 5_000

    private let reader: any HistoryReading
    private var board: StatusBoard?
    private var periodMs = BoardCache.freshMs
    private var making: Task<StatusBoard, any Error>?

    init(reader: any HistoryReading) {
        self.reader = reader
    }

    /// The latest board (one being made replaces it when done); the first request waits for the first board.
    func current(nowMs: Int64) async throws -> StatusBoard {
        if let board {
            if nowMs - board.generatedAtMs >= periodMs, making == nil { make(nowMs: nowMs) }
            return board
        }
        if making == nil { make(nowMs: nowMs) }
        return try await making!.value
    }

    private func make(nowMs: Int64) {
        let reader = self.reader
        making = Task {
            defer { making = nil }
            let started = ContinuousClock.now
            let made = try await offload(slot: false) { try reader.statusBoard(nowMs: nowMs) }
            let took = (ContinuousClock.now - started).components
            periodMs = max(Self.freshMs, 5 * (took.seconds * 1_000 + took.attoseconds / 1_000_000_000_000_000))
            board = made
            return made
        }
    }
}

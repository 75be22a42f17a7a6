import JinaHistoryCore

/// The status board, made at most once per ``freshMs``: a page that refreshes itself, opened by many people during
/// an incident, reads the history once per period, not once per request. Past the period the board is made again
/// in the background while the one there is goes on being served, so no request waits for it but the very first.
actor BoardCache {
    /// How long a board is served before a new one is made.
    static let freshMs: Int64 = 5_000

    private let reader: any HistoryReading
    private var board: StatusBoard?
    private var making: Task<StatusBoard, any Error>?

    init(reader: any HistoryReading) {
        self.reader = reader
    }

    /// The latest board (one being made replaces it when done); the first request waits for the first board.
    func current(nowMs: Int64) async throws -> StatusBoard {
        if let board {
            if nowMs - board.generatedAtMs >= Self.freshMs, making == nil { make(nowMs: nowMs) }
            return board
        }
        if making == nil { make(nowMs: nowMs) }
        return try await making!.value
    }

    private func make(nowMs: Int64) {
        let reader = self.reader
        making = Task {
            defer { making = nil }
            let made = try await offload { try reader.statusBoard(nowMs: nowMs) }
            board = made
            return made
        }
    }
}

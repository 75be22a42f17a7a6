import JinaHistoryCore

/// The status board, made at most once per ``freshMs``: a page that refreshes itself, opened by many people during
/// an incident, reads the history once per period, not once per request.
actor BoardCache {
    /// How long a board is served before it is made again.
    static let freshMs: Int64 = 5_000

    private let reader: any HistoryReading
    private var board: StatusBoard?
    private var making: Task<StatusBoard, any Error>?

    init(reader: any HistoryReading) {
        self.reader = reader
    }

    /// A board no older than ``freshMs``; requests that come while one is being made wait for that one.
    func current(nowMs: Int64) async throws -> StatusBoard {
        if let board, nowMs - board.generatedAtMs < Self.freshMs { return board }
        if let making { return try await making.value }
        let reader = self.reader
        let task = Task { try await offload { try reader.statusBoard(nowMs: nowMs) } }
        making = task
        defer { making = nil }
        let made = try await task.value
        board = made
        return made
    }
}

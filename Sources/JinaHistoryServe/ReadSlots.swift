import Foundation

/// Runs a blocking read (SQLite waits on its file) on a thread of its own, never on the server's, and at most
/// ``ReadSlots/shared``'s number at once: on a small machine a burst of requests must leave a core to the
/// recorder and the services it probes.
/// With `slot` off the read takes none (the status board, made in the background at most once per period).
func offload<T: Sendable>(slot: Bool = true, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    if slot { await ReadSlots.shared.acquire() }
    defer { if slot { Task { await ReadSlots.shared.release() } } }
    return try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result(catching: body)) }
    }
}

/// A counting semaphore for reads: one fewer than the machine's cores (at least one).
actor ReadSlots {
    static let shared = ReadSlots(count: max(1, ProcessInfo.processInfo.activeProcessorCount - 1))

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { free = count }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

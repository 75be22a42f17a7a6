import Dispatch
import Synchronization

/// Runs postgres-nio's async calls for synchronous callers where no future is offered: connecting and migrating,
/// a few calls per process (statements wait on postgres-nio's futures: ``PostgresSession``). The storage interface
/// is synchronous because a report is CPU work over one snapshot; only this engine waits on a network.
///
/// The calls run as tasks on this executor's own threads, never on Swift's cooperative pool: a command that waits
/// here is itself on that pool, which has one thread per core, so a task queued behind it could wait for ever on
/// a one-core machine.
final class BlockingCall: TaskExecutor {
    /// The executor every session uses.
    static let executor = BlockingCall()

    private let queue = DispatchQueue(label: "jina-history.postgres", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    /// Runs `body` to its end on this executor and returns what it returned, blocking the calling thread, which
    /// must not be one of this executor's.
    static func run<T: Sendable>(_ body: @Sendable @escaping () async throws -> T) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task(executorPreference: executor) {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0! }.get()
    }
}

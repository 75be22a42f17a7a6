import Synchronization

/// Runs `operation` and returns its result, or `onTimeout` once `timeout` has passed, whichever comes first.
///
/// Unlike a task group, this returns *at* the deadline even when the operation is slow to notice its
/// cancellation (a client tearing down a hung connection): the operation is cancelled and left to unwind on its
/// own. Cancelling the caller cancels the operation and returns `onTimeout` at once.
func withDeadline<T: Sendable>(
    _ timeout: Duration, onTimeout: T, _ operation: @escaping @Sendable () async -> T
) async -> T {
    let race = FirstResult<T>()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            race.install(continuation)
            race.track(Task { race.resume(await operation()) })
            race.track(Task {
                try? await Task.sleep(for: timeout)
                race.resume(onTimeout)
            })
        }
    } onCancel: {
        race.resume(onTimeout)
    }
}

/// The continuation of a race between an operation and its deadline: resumed once, by whichever ends first
/// (even when that happens before the continuation is installed); the first result also cancels every task
/// in the race.
private final class FirstResult<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, Never>?
        var result: T?
        var tasks: [Task<Void, Never>] = []
    }

    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<T, Never>) {
        let early = state.withLock { state -> T? in
            if state.result == nil { state.continuation = continuation }
            return state.result
        }
        if let early { continuation.resume(returning: early) }
    }

    func track(_ task: Task<Void, Never>) {
        let alreadyDecided = state.withLock { state in
            state.tasks.append(task)
            return state.result != nil
        }
        if alreadyDecided { task.cancel() }
    }

    func resume(_ value: T) {
        let decided = state.withLock { state -> (CheckedContinuation<T, Never>?, [Task<Void, Never>])? in
            guard state.result == nil else { return nil }
            state.result = value
            defer { state.continuation = nil }
            return (state.continuation, state.tasks)
        }
        guard let (continuation, tasks) = decided else { return }
        tasks.forEach { $0.cancel() }
        continuation?.resume(returning: value)
    }
}

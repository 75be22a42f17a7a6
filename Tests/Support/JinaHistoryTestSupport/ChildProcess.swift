import Foundation
import Synchronization

/// A child process whose stdout lines are collected as they come, stopped by PID and never left behind.
public final class ChildProcess: Sendable {
    private let process: Process
    private let output = Output()

    /// What the process printed, shared with the pipe handlers.
    private final class Output: Sendable {
        let collected = Mutex<(lines: [String], partial: String)>(([], ""))
        let errorOutput = Mutex<String>("")
        /// Pipes that reached end of file (stdout and stderr: 2 when all output is in).
        let closedPipes = Mutex(0)
        /// Bytes read so far from both pipes, to tell output still coming from a pipe merely held open.
        let bytesRead = Mutex(0)

        /// Hands what is read from `pipe` to `take`, whole characters at a time, and counts the pipe closed at end of
        /// file. A thread of its own reads with a blocking `read` until end of file: reading through
        /// `FileHandle.readabilityHandler` lost the tail of a 127 kB report in every run (LargeOutputTests).
        func drain(_ pipe: Pipe, _ take: @escaping @Sendable (Output, String) -> Void) {
            let descriptor = pipe.fileHandleForReading.fileDescriptor
            Thread.detachNewThread { [self] in
                var buffer = [UInt8](repeating: 0, count: 65_536)
                var pending: [UInt8] = []
                while true {
                    let count = read(descriptor, &buffer, buffer.count)
                    if count < 0, errno == EINTR { continue }
                    guard count > 0 else { break }
                    bytesRead.withLock { $0 += count }
                    pending += buffer[0..<count]
                    // A character cut by the read waits for the rest of its bytes.
                    var end = pending.count
                    if let lead = pending.indices.suffix(3).last(where: { pending[$0] & 0xC0 != 0x80 }),
                       pending[lead] >= 0xC0 {
                        let length = pending[lead] >= 0xF0 ? 4 : pending[lead] >= 0xE0 ? 3 : 2
                        if pending.count - lead < length { end = lead }
                    }
                    take(self, String(decoding: pending[0..<end], as: UTF8.self))
                    pending.removeFirst(end)
                }
                if !pending.isEmpty { take(self, String(decoding: pending, as: UTF8.self)) }
                closedPipes.withLock { $0 += 1 }
            }
        }
    }

    /// Starts `executable` with `arguments`; stdout is read line by line, stderr kept for failure messages.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        output.drain(stdout) { state, text in
            state.collected.withLock { collected in
                // "\r\n" (a terminal's line end) is one Character in Swift, so it is made "\n" before splitting.
                let pieces = (collected.partial + text).replacingOccurrences(of: "\r\n", with: "\n")
                    .split(separator: "\n", omittingEmptySubsequences: false)
                collected.lines.append(contentsOf: pieces.dropLast().map(String.init))
                collected.partial = String(pieces.last ?? "")
            }
        }
        output.drain(stderr) { state, text in
            state.errorOutput.withLock { $0 = String(($0 + text).suffix(20_000)) }
        }
        try process.run()
    }

    /// Process id.
    public var pid: Int32 { process.processIdentifier }

    /// Complete stdout lines so far.
    public var lines: [String] { output.collected.withLock { $0.lines } }

    /// The tail of stderr so far.
    public var standardError: String { output.errorOutput.withLock { $0 } }

    /// Whether it is still running.
    public var isRunning: Bool { process.isRunning }

    /// Exit status once it has exited.
    public var exitStatus: Int32 { process.terminationStatus }

    /// Sends `signal` to the process.
    public func send(_ signal: Int32) { if process.isRunning { kill(process.processIdentifier, signal) } }

    /// Waits (bounded) for the process to exit and, with `output`, for all it wrote to be read: until end of file
    /// on both pipes, or, when a pipe stays open after the exit because another process inherited it (a child of
    /// the child, or a process spawned by this test process at the same moment), until nothing more has arrived
    /// for a second. (A fixed two-second grace once cut a long completion script short on a loaded machine.)
    public func waitForExit(timeout: Duration, output readAll: Bool = true) async throws {
        do {
            try await waitUntil("process \(pid) to exit", timeout: timeout) { !process.isRunning }
        } catch {
            throw ConditionTimedOut(description: "\(error) (still running)")
        }
        guard readAll else { return }
        var lastCount = -1
        var quietSince = ContinuousClock.now
        try? await waitUntil("output of process \(pid)", timeout: .seconds(30)) {
            if output.closedPipes.withLock({ $0 }) == 2 { return true }
            let count = output.bytesRead.withLock { $0 }
            if count != lastCount {
                lastCount = count
                quietSince = .now
            }
            return ContinuousClock.now - quietSince > .seconds(1)
        }
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace`.
    public func stop(grace: Duration = .seconds(10)) async {
        send(SIGTERM)
        if (try? await waitForExit(timeout: grace, output: false)) == nil {
            send(SIGKILL)
            try? await waitForExit(timeout: .seconds(5), output: false)
        }
    }
}

import Foundation
public import JinaHistoryCore

/// Runs a `--on-transition` command for each notice: `/bin/sh -c COMMAND` with the event's fields in its
/// environment (`JINA_HISTORY_EVENT`, …) and the JSON event on its stdin, its stdout discarded and its stderr the
/// recorder's. Exit status 0 is accepted. At the deadline its whole process group is killed, so a command that
/// hangs (or leaves children behind) never outlives it.
///
/// Hand-written over `posix_spawn` because Foundation's `Process` cannot start a child in its own process group,
/// and killing only `sh` would leave what it started running.
public struct CommandChannel: NotificationChannel {
    /// The command as it may be printed (its program's name).
    public let destination: String
    private let command: String
    private let environment: @Sendable (TransitionNotice) -> [String: String]
    private let body: @Sendable (TransitionNotice) -> [UInt8]

    /// A channel that runs `command`; `environment` gives the event's variables and `body` its stdin.
    public init(command: String, destination: String,
                environment: @escaping @Sendable (TransitionNotice) -> [String: String],
                body: @escaping @Sendable (TransitionNotice) -> [UInt8]) {
        self.command = command
        self.destination = destination
        self.environment = environment
        self.body = body
        // A command that exits before reading its stdin must not end the recorder.
        signal(SIGPIPE, SIG_IGN)
    }

    /// Whether `command`'s program can be run: its first word is an executable file, or one on the PATH.
    public static func programExists(_ command: String) -> Bool {
        guard let program = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) else {
            return false
        }
        if program.contains("/") { return access(program, X_OK) == 0 }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
    }

    /// Runs the command once, killed at `timeoutMs`.
    public func deliver(_ notice: TransitionNotice, timeoutMs: Int64) async -> NotificationAnswer {
        var variables = ProcessInfo.processInfo.environment
        variables.merge(environment(notice)) { _, new in new }
        let started = ContinuousClock.now
        guard let child = ChildProcess(command: command, environment: variables, stdin: body(notice)) else {
            return NotificationAnswer(accepted: false, status: nil, error: "cannot start /bin/sh: \(String(cString: strerror(errno)))")
        }
        let deadline = started + .milliseconds(max(1, timeoutMs))
        while ContinuousClock.now < deadline, !Task.isCancelled {
            if let status = child.exitStatus() {
                return status == 0
                    ? NotificationAnswer(accepted: true, status: 0, error: "")
                    : NotificationAnswer(accepted: false, status: status, error: "the command failed")
            }
            // A command runs for milliseconds to seconds; a 10 ms poll costs nothing beside it.
            try? await Task.sleep(for: .milliseconds(10))
        }
        child.kill()
        return NotificationAnswer(accepted: false, status: nil, error: Task.isCancelled
            ? "the command was killed: the recorder stopped" : "the command did not finish within \(timeoutMs) ms; it was killed")
    }
}

/// `/bin/sh -c COMMAND` in its own process group, its stdin a pipe written once and closed.
private final class ChildProcess {
    private let pid: pid_t
    private var reaped = false

    init?(command: String, environment: [String: String], stdin: [UInt8]) {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[0], 0)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let words: [String] = ["/bin/sh", "-c", command]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        let variables: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (arguments + variables).forEach { free($0) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, "/bin/sh", &actions, &attributes, arguments, variables)
        close(pipeEnds[0])
        guard spawned == 0 else {
            close(pipeEnds[1])
            errno = spawned
            return nil
        }
        pid = child
        stdin.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(pipeEnds[1], bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
        close(pipeEnds[1])
    }

    /// The exit status once it ended (128 + the signal when killed), else `nil`.
    func exitStatus() -> Int? {
        var status: Int32 = 0
        guard !reaped, waitpid(pid, &status, WNOHANG) == pid else { return nil }
        reaped = true
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Int(code)
    }

    /// Kills its process group and reaps it.
    func kill() {
        Glibc.kill(-pid, SIGKILL)
        var status: Int32 = 0
        if !reaped { waitpid(pid, &status, 0) }
        reaped = true
    }
}

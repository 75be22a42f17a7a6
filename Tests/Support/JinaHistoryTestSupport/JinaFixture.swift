import Foundation

/// A real Jina (3.34.0, from the venv `scripts/test` creates) started by `scripts/fixture/serve.py` on loopback,
/// with telemetry off and the public-IP lookup stubbed out. Stopped by PID, children included.
public final class JinaFixture: Sendable {
    /// What serve.py reported on its READY line.
    public struct Ready: Decodable, Sendable {
        var serve_pid: Int32
        var gateway_pid: Int32?
        var executor_pids: [Int32]
        var port: Int
    }

    public let ready: Ready
    private let child: ChildProcess
    /// Children by PID with their start time, so a reused PID is never killed.
    private let children: [(pid: Int32, startTime: String)]

    private init(child: ChildProcess, ready: Ready) {
        self.child = child
        self.ready = ready
        children = ([ready.gateway_pid] + ready.executor_pids.map(Optional.some)).compactMap { pid in
            pid.flatMap { pid in Self.startTime(of: pid).map { (pid, $0) } }
        }
    }

    /// Starts serve.py with `arguments` (e.g. `--kind flow --port P`) and waits, bounded, for its READY line.
    public static func start(_ arguments: [String], timeout: Duration = .seconds(90)) async throws -> JinaFixture {
        guard FileManager.default.isExecutableFile(atPath: TestPaths.python) else {
            throw ConditionTimedOut(
                description: "no Jina venv at \(TestPaths.python): run scripts/test, which creates it from the "
                    + "pinned constraints, or set JINA_HISTORY_PYTHON")
        }
        let child = try ChildProcess(
            TestPaths.python, [TestPaths.serveScript] + arguments,
            environment: ["JINA_OPTOUT_TELEMETRY": "1", "JINA_LOG_LEVEL": "ERROR"])
        do {
            try await waitUntil("serve.py \(arguments.joined(separator: " ")) to be READY", timeout: timeout) {
                if child.lines.contains(where: { $0.hasPrefix("FAILED ") }) || !child.isRunning {
                    throw ConditionTimedOut(
                        description: "serve.py failed: \(child.lines.joined(separator: "\n"))\n"
                            + child.standardError.suffix(2_000))
                }
                return child.lines.contains { $0.hasPrefix("READY ") }
            }
            let line = child.lines.first { $0.hasPrefix("READY ") }!
            let ready = try JSONDecoder().decode(Ready.self, from: Data(line.dropFirst("READY ".count).utf8))
            return JinaFixture(child: child, ready: ready)
        } catch {
            await child.stop()
            throw error
        }
    }

    /// The in-flow (or bare) executor's process id.
    public var executorPID: Int32 { ready.executor_pids.first ?? ready.serve_pid }

    /// Stops serve.py by PID (it stops its own children by PID); then kills any child of it still alive.
    public func stop() async {
        await child.stop()
        for (pid, startTime) in children where Self.startTime(of: pid) == startTime {
            kill(pid, SIGCONT)
            kill(pid, SIGKILL)
        }
    }

    /// Field 22 of /proc/PID/stat: the process start time, which tells a PID's owner from a later reuse.
    private static func startTime(of pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }
}

import Foundation

/// What `jina ping` and `jina-history ping` said about the same target at the same moment.
public struct PingParity: CustomStringConvertible {
    public var jinaStatus: Int32?
    public var ourStatus: Int32
    public var ourOutput: String
    public var jinaOutput: String

    public var description: String {
        "jina ping exit \(jinaStatus.map(String.init) ?? "-"), jina-history ping exit \(ourStatus)\n"
            + "jina-history:\n\(ourOutput)\njina:\n\(jinaOutput)"
    }
}

/// Runs `jina-history ping KIND URL --timeout MS` and then, when `withJina`, `jina ping KIND URL --timeout MS`
/// (through scripts/fixture/jina_ping.py, telemetry off and IP lookups stubbed). One after the other: a child
/// spawned while another child's pipes are being set up can inherit them and hold them open.
public func pingBoth(_ kind: String, _ url: String, timeoutMs: Int64, withJina: Bool = true) async throws -> PingParity {
    let arguments = [kind, url, "--timeout", "\(timeoutMs)"]
    let ours = try await runJinaHistory(["ping"] + arguments, timeout: .seconds(30))
    var jinaStatus: Int32?
    var jinaOutput = ""
    if withJina {
        let jina = try ChildProcess(
            TestPaths.python, [TestPaths.repository.appending(path: "scripts/fixture/jina_ping.py").path] + arguments,
            environment: ["JINA_OPTOUT_TELEMETRY": "1", "COLUMNS": "200"])
        do {
            try await jina.waitForExit(timeout: .seconds(60))
        } catch {
            await jina.stop()
            throw error
        }
        jinaStatus = jina.exitStatus
        jinaOutput = jina.lines.joined(separator: "\n")
    }
    return PingParity(jinaStatus: jinaStatus, ourStatus: ours.status, ourOutput: ours.stdout,
                      jinaOutput: jinaOutput)
}

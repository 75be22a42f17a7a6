import Foundation
import Testing

/// The built binary on bad input: one line naming the problem, a non-zero exit, and no database created.
@Suite("command line")
struct CommandLineTests {
    @Test("bad input gets one clear line and a non-zero exit, and creates nothing", arguments: [
        (["record", "127.0.0.1"], "has no port"),
        (["record", "127.0.0.1:70000"], "from 1 to 65535"),
        (["record", "wss://127.0.0.1:1"], "not supported yet"),
        (["record", "127.0.0.1:1", "--interval", "5x"], "--interval '5x' is not a duration"),
        (["record", "127.0.0.1:1", "--interval", "1ms"], "--interval must be at least 10ms"),
        (["record", "127.0.0.1:1", "--kind", "pod"], "--kind 'pod' is not a kind"),
        (["record", "127.0.0.1:1", "--rounds", "0"], "--rounds must be 1 or more"),
        (["record", "127.0.0.1:1", "127.0.0.1:1"], "two targets share a name"),
        (["report", "--since", "5x"], "--since '5x' is not"),
        (["report", "--since", "1h", "--until", "2h"], "--since must be before --until"),
        (["report"], "no history database at"),
    ])
    func badInput(arguments: [String], problem: String) async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "sub/history.sqlite").path
        let result = try await runJinaHistory(arguments + ["--db", database])
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(lines.first?.hasPrefix("jina-history: error: ") == true)
        #expect(result.stderr.contains(problem), "stderr: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appending(path: "sub").path))
    }

    @Test("--rounds records that many rounds and exits 0; the report then reads them")
    func roundsThenReport() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "history.sqlite").path
        let port = try freePort()
        let record = try await runJinaHistory([
            "record", "127.0.0.1:\(port)", "--kind", "executor", "--db", database, "--interval", "150ms",
            "--rounds", "3", "--print-rounds", "always",
        ])
        #expect(record.status == 0, "\(record.stderr)")
        #expect(record.stdout.split(separator: "\n").count == 3)
        #expect(record.stdout.contains("refused"))
        let report = try await jsonReport(database)
        let target = try #require((report["targets"] as? [[String: Any]])?.first)
        #expect((target["rounds"] as? [String: Int])?["down"] == 3)
        #expect(target["name"] as? String == "executor@grpc://127.0.0.1:\(port)")
    }
}

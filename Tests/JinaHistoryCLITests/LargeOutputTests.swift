import Foundation
import JinaHistoryCore
import JinaHistoryTestSupport
import Testing

/// The test harness reads a command's whole output, however large: tests compare reports through it.
@Suite("large output")
struct LargeOutputTests {
    @Test("a JSON report of over 100 kB read through the pipe is the report written to a file")
    func wholeReport() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "stormy.sqlite").path
        #expect(try await runJinaHistory(["db", "seed", "--db", database, "--targets", "3", "--span", "2d",
                                          "--interval", "5s", "--outage-odds", "300"]).status == 0)
        let untilMs = wallNowMs()
        let arguments = ["report", "--db", database, "--since", TimeText.rfc3339(untilMs - 72 * 3_600_000),
                         "--until", TimeText.rfc3339(untilMs), "--format", "json"]
        let file = directory.appending(path: "report.json").path
        let written = try await runJinaHistory(["-c", "\"$0\" \"$@\" > \"\(file)\""] + [TestPaths.binary] + arguments,
                                               binary: "/bin/sh")
        #expect(written.status == 0)
        // Everything but when each report was made.
        func made(_ text: String) -> String {
            text.split(separator: "\n").filter { !$0.contains("\"generated_at\"") }.joined(separator: "\n")
        }
        let expected = made(try String(contentsOfFile: file, encoding: .utf8))
        #expect(expected.utf8.count > 100_000)
        // Five times: the reader this replaced lost the tail in every run.
        for _ in 0..<5 {
            let piped = try await runJinaHistory(arguments)
            #expect(made(piped.stdout) == expected, "read \(piped.stdout.utf8.count) of about \(expected.utf8.count) bytes")
        }
    }
}

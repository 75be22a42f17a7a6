import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite
import JinaHistoryTestSupport
import JinaHistoryFakes
import Testing

/// What `scripts/install` ships beside the binary: shell completions that load, a man page, the version line.
@Suite("packaging")
struct PackagingTests {
    @Test("completion scripts load in bash and zsh and complete the commands", arguments: ["bash", "zsh"])
    func completionLoads(shell: String) async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let generated = try await runJinaHistory(["--generate-completion-script", shell])
        #expect(generated.status == 0 && generated.stdout.contains("record"))
        let file = directory.appending(path: "completion.\(shell)")
        try Data(generated.stdout.utf8).write(to: file)
        let check = shell == "bash"
            ? "source \(file.path) && complete -p jina-history"
            : "autoload -U compinit && compinit -u -D && source \(file.path) && whence -w _jina-history"
        let loaded = try await runJinaHistory(["-c", check], binary: shell == "bash" ? "/bin/bash" : "/usr/bin/zsh")
        #expect(loaded.status == 0 && loaded.stderr.isEmpty, "\(loaded.stderr)")
        #expect(loaded.stdout.contains(shell == "bash" ? "jina-history" : "function"), "\(loaded.stdout)")
    }

    @Test("--version names the version and the history schema it writes")
    func version() async throws {
        let result = try await runJinaHistory(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.range(of: #"^\d+\.\d+\.\d+ \(history schema \d+\)$"#, options: .regularExpression) != nil,
                "\(result.stdout)")
    }
}

/// The man page and the install script's build step (scripts/lib/man-page.sh, which scripts/test runs before the
/// tests and scripts/install runs in release).
@Suite("man page and install")
struct ManPageTests {
    @Test("the man page renders, with an EXIT STATUS section giving codes 0 to 4")
    func exitStatus() async throws {
        let page = TestPaths.repository.appending(path: ".build/jina-history.1").path
        #expect(FileManager.default.fileExists(atPath: page), "scripts/test writes \(page) before the tests")
        let rendered = try await runJinaHistory(["-l", page], environment: ["MANWIDTH": "100", "MANPAGER": "cat"],
                                                binary: "/usr/bin/man")
        #expect(rendered.status == 0, "\(rendered.stderr)")
        // Bold and underline as overstrikes (a character, a backspace) where man writes for a printer.
        let text = rendered.stdout.replacingOccurrences(of: #".\x{08}"#, with: "", options: .regularExpression)
        let section = try #require(text.range(of: "EXIT STATUS").map { String(text[$0.upperBound...]) }, "\(text)")
        for line in ["0       Success", "1       Not ready", "2       Bad input", "3       The history database",
                     "4       Another recorder"] {
            #expect(section.contains(line), "EXIT STATUS lacks '\(line)':\n\(section)")
        }
        #expect(!text.contains("exits 0 on success, and >0 if an error occurs"))
    }

    @Test("a build that fails shows the compiler's error and stops, instead of hiding it")
    func failedBuildIsShown() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A stand-in for swift whose build fails as a compile error does: a fault the real build cannot make on
        // demand without breaking the sources.
        let fake = directory.appending(path: "swift")
        try Data("""
            #!/bin/sh
            echo "[12/80] Compiling JinaHistoryKit Ping.swift"
            echo "/src/Sources/JinaHistoryKit/Recording/Ping.swift:3:1: error: cannot find 'oops' in scope"
            exit 1

            """.utf8).write(to: fake)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        let output = directory.appending(path: "page.1").path
        let result = try await runJinaHistory(
            ["-c", "cd '\(TestPaths.repository.path)' && source scripts/lib/man-page.sh && make_man_page release '\(output)'"],
            environment: ["PATH": "\(directory.path):/usr/bin:/bin"], binary: "/bin/bash")
        #expect(result.status == 1)
        #expect(result.stderr.contains("building jina-history and its man page failed"), "\(result.stderr)")
        #expect(result.stderr.contains("Ping.swift:3:1: error: cannot find 'oops' in scope"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}

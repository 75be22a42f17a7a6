import Foundation
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

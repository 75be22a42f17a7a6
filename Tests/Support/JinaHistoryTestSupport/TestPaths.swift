public import Foundation

/// Where tests find the repository, the built binary and the Jina fixture's Python.
public enum TestPaths {
    /// The repository root (this file is Tests/Support/JinaHistoryTestSupport/TestPaths.swift).
    public static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `jina-history` executable built next to the test bundle (or `JINA_HISTORY_BIN`).
    public static var binary: String {
        if let path = ProcessInfo.processInfo.environment["JINA_HISTORY_BIN"] { return path }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // Under `swift test` argv[0] can be the bundle or the binary inside it.
        for _ in 0..<3 where !FileManager.default.fileExists(atPath: directory.appending(path: "jina-history").path) {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appending(path: "jina-history").path
    }

    /// The venv Python with jina 3.34.0 that `scripts/test` creates (or `JINA_HISTORY_PYTHON`).
    public static var python: String {
        ProcessInfo.processInfo.environment["JINA_HISTORY_PYTHON"]
            ?? repository.appending(path: ".venv-jina/bin/python").path
    }

    /// The project's own Jina fixture.
    public static let serveScript = repository.appending(path: "scripts/fixture/serve.py").path

    /// A fresh temporary directory, removed by the caller.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(path: "jina-history-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

import Foundation
import JinaHistoryCore
import JinaHistoryRecorder
import JinaHistorySQLite
import JinaHistoryTestSupport
import GRDB
import Testing

/// Storage that cannot be used at start-up: one line naming the file and what to do, exit 3, and the file as
/// it was (or not created). Faults while recording are in RecorderTests.
@Suite("storage faults at start-up", .serialized)
struct StorageFaultTests {
    /// One fault: how to make it in a fresh directory (returning the database path), and how to run under it.
    struct Fault: Sendable, CustomTestStringConvertible {
        var name: String
        var make: @Sendable (URL) throws -> String
        /// A command that runs the binary under the fault (a lower privilege, a file-size limit), if any.
        var runner: [String] = []
        var command = ["record", "--rounds", "1", "grpc://127.0.0.1:1"]
        var expected: String
        var testDescription: String { name }
    }

    /// Root ignores file permissions, so permission faults run the binary as `nobody` when the tests run as root.
    private static let unprivileged = getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []

    private static func existingDatabase(_ directory: URL) throws -> String {
        let path = directory.appending(path: "history.sqlite").path
        _ = try HistoryWriter(path: path)
        return path
    }

    static let faults: [Fault] = [
        Fault(name: "directory not writable", make: { directory in
            let locked = directory.appending(path: "locked")
            try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o555])
            return locked.appending(path: "history.sqlite").path
        }, runner: unprivileged, expected: "Permission denied; check that its directory is writable"),
        Fault(name: "database file read-only", make: { directory in
            let path = try existingDatabase(directory)
            chmod(path, 0o444)
            chmod(directory.path, 0o555)
            return path
        }, runner: unprivileged, expected: "check that the file and its directory are writable"),
        Fault(name: "disk full for a new database (file-size limit 0)", make: { directory in
            directory.appending(path: "history.sqlite").path
        }, runner: ["/usr/bin/prlimit", "--fsize=0"], expected: "disk full, file-size limit, failing disk"),
        Fault(name: "disk full for an existing database (no room for its journal)", make: { directory in
            try existingDatabase(directory)
        }, runner: ["/usr/bin/prlimit", "--fsize=4096"], expected: "disk full, file-size limit, failing disk"),
        Fault(name: "not a database", make: { directory in
            let path = directory.appending(path: "history.sqlite").path
            try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: URL(fileURLWithPath: path))
            return path
        }, expected: "not a jina-history database or is damaged"),
        Fault(name: "not a database, for a report", make: { directory in
            let path = directory.appending(path: "history.sqlite").path
            try Data("date,availability\n".utf8).write(to: URL(fileURLWithPath: path))
            return path
        }, command: ["report"], expected: "not a jina-history database or is damaged"),
        Fault(name: "schema from a newer jina-history", make: { directory in
            let path = try existingDatabase(directory)
            try DatabaseQueue(path: path).write { try $0.execute(sql: "PRAGMA user_version = 99") }
            return path
        }, expected: "upgrade jina-history"),
        Fault(name: "schema from a newer jina-history, for a report", make: { directory in
            let path = try existingDatabase(directory)
            try DatabaseQueue(path: path).write { try $0.execute(sql: "PRAGMA user_version = 99") }
            return path
        }, command: ["report"], expected: "upgrade jina-history"),
        Fault(name: "the path is a directory", make: { directory in
            directory.path
        }, expected: "is a directory; pass the path of a database file"),
    ]

    @Test("one line, exit 3, the file untouched", arguments: faults)
    func startUpFault(_ fault: Fault) async throws {
        let directory = try TestPaths.temporaryDirectory()
        chmod(directory.path, 0o755)
        defer {
            chmod(directory.path, 0o755)
            try? FileManager.default.removeItem(at: directory)
        }
        let path = try fault.make(directory)
        let before = try? Data(contentsOf: URL(fileURLWithPath: path))
        let arguments = fault.command + ["--db", path]
        let result = fault.runner.isEmpty
            ? try await runJinaHistory(arguments)
            : try await runJinaHistory(Array(fault.runner.dropFirst()) + [TestPaths.binary] + arguments,
                                       binary: fault.runner[0])
        #expect(result.status == 3, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("jina-history: error: "), "\(result.stderr)")
        #expect(result.stderr.contains(fault.expected), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) || !isDirectory.boolValue {
            let after = try? Data(contentsOf: URL(fileURLWithPath: path))
            #expect(after == before, before == nil ? "a half-made database was left behind" : "the database changed")
        }
    }
}

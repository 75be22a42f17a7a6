import Foundation

/// What a finished `jina-history` invocation printed and returned.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs the built `jina-history` (or `binary`) with `arguments` to completion (bounded by `timeout`).
public func runJinaHistory(_ arguments: [String], environment: [String: String] = [:], binary: String = TestPaths.binary,
                    timeout: Duration = .seconds(60)) async throws -> CommandResult {
    let child = try ChildProcess(binary, arguments, environment: environment)
    do {
        try await child.waitForExit(timeout: timeout)
    } catch {
        await child.stop()
        throw ConditionTimedOut(description: "jina-history \(arguments.joined(separator: " ")): \(error); "
            + "it printed: \(child.lines.joined(separator: " | ")) \(child.standardError)")
    }
    return CommandResult(
        status: child.exitStatus, stdout: child.lines.joined(separator: "\n"), stderr: child.standardError)
}

/// The JSON report of `database` for the last `since`, after checking it against reports/report.schema.json.
public func jsonReport(_ database: String, since: String = "1h") async throws -> [String: Any] {
    let result = try await runJinaHistory(["report", "--db", database, "--since", since, "--format", "json"])
    guard result.status == 0,
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    else {
        throw ConditionTimedOut(description: "report failed (\(result.status)): \(result.stderr) \(result.stdout)")
    }
    try await validateAgainstSchema(result.stdout)
    return json
}

/// Validates a JSON report (or, with `ndjson`, each line of an NDJSON export) against a schema in reports/ with
/// the venv's jsonschema (scripts/fixture/validate_json.py).
public func validateAgainstSchema(_ json: String, schema: String = "report.schema.json", ndjson: Bool = false) async throws {
    let file = FileManager.default.temporaryDirectory.appending(path: "report-\(UUID().uuidString).json")
    try Data(json.utf8).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let validator = try ChildProcess(TestPaths.python, [
        TestPaths.repository.appending(path: "scripts/fixture/validate_json.py").path,
    ] + (ndjson ? ["--ndjson"] : []) + [
        TestPaths.repository.appending(path: "reports/\(schema)").path, file.path,
    ])
    try await validator.waitForExit(timeout: .seconds(30))
    guard validator.exitStatus == 0 else {
        throw ConditionTimedOut(description: "output does not match reports/\(schema): "
            + validator.lines.joined(separator: "; ") + validator.standardError)
    }
}

/// Milliseconds since 1970 of an RFC 3339 time the report printed.
public func epochMs(_ text: Any?) -> Int64? {
    guard let text = text as? String else { return nil }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text).map { Int64(($0.timeIntervalSince1970 * 1_000).rounded()) }
}

/// Wall clock now, UTC epoch ms.
public func wallNowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000).rounded()) }

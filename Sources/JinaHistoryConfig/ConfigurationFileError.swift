import JinaHistoryCore

/// A configuration file that cannot be used: unreadable, not YAML, or a mistake at a line, in the file's own words
/// (its field names). The command words the first two with its flag (`--config`).
public enum ConfigurationFileError: Error, Equatable, Sendable {
    /// The file cannot be read; the system's reason.
    case unreadable(file: String, reason: String)
    /// The file is not YAML; the parser's reason, with its line and column.
    case notYAML(file: String, reason: String)
    /// A mistake in the file: where (the line, when known) and what, naming its fields.
    case mistake(file: String, line: Int?, problem: String)

    /// The error's line, with `flag` naming the option that gave the file.
    public func message(flag: String) -> String {
        let text = switch self {
        case .unreadable(let file, let reason): "\(flag) '\(file)': cannot read it (\(reason))"
        case .notYAML(let file, let reason): "\(file): not valid YAML: \(reason)"
        case .mistake(let file, let line, let problem): (line.map { "\(file):\($0)" } ?? file) + ": " + problem
        }
        return text.oneLine(limit: 2_000)
    }
}

import Foundation
import Yams
public import JinaHistoryCore

/// The targets of `record --config FILE` (docs/configuration.md): a YAML file with optional `defaults` and a
/// list of `targets`, each with the same settings as `record`'s flags, spelled the same without the dashes'
/// prefix (`interval`, `retry-delay`, `ca-cert`, …), plus `name`, `kind`, `url` and `labels`.
///
/// Every error names the file, the line and the field; unknown fields are errors, so a typo never silently
/// falls back to a default. Relative certificate paths are read from the file's directory.
public enum TargetConfigurationFile {
    /// Fields a target (or `defaults`) may set, besides `name` and `url`, which only targets set.
    static let settingFields: Set<String> = [
        "kind", "interval", "timeout", "retries", "retry-delay", "min-successful-attempts", "failure-threshold",
        "success-threshold", "labels", "ca-cert", "client-cert", "client-key", "insecure", "notify", "notify-format",
        "on-transition", "notify-repeat",
    ]

    /// The targets of `path` (``configuration(path:requireProbeable:commandExists:)``).
    public static func load(path: String, requireProbeable: (Target) throws -> Void = { try $0.requireSupported() },
                            commandExists: (String) -> Bool = { _ in true })
        throws -> [ScheduledTarget]
    {
        try configuration(path: path, requireProbeable: requireProbeable, commandExists: commandExists).targets
    }

    /// Reads and checks `path`.
    ///
    /// - throws: ``ConfigurationFileError`` naming the file, the line and the field.
    ///
    /// - parameter requireProbeable: checks each target as its probes will need it (certificate files, the kinds
    ///   a transport serves); its errors are given the file and line. By default only the model's rules.
    /// - parameter commandExists: whether an `on-transition` command's program can be run.
    public static func configuration(path: String,
                                     requireProbeable: (Target) throws -> Void = { try $0.requireSupported() },
                                     commandExists: (String) -> Bool = { _ in true }) throws -> RecordConfiguration
    {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationFileError.unreadable(file: path, reason: error.localizedDescription)
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(text, file: path, directory: directory, requireProbeable: requireProbeable,
                         commandExists: commandExists)
    }

    /// Parses a configuration's text; `file` names it in errors and `directory` anchors relative paths.
    static func parse(_ text: String, file: String, directory: String,
                      requireProbeable: (Target) throws -> Void = { try $0.requireSupported() },
                      commandExists: (String) -> Bool = { _ in true }) throws
        -> RecordConfiguration
    {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigurationFileError.notYAML(file: file, reason: Self.oneLine(error))
        }
        let reader = Reader(file: file, directory: directory)
        guard let top = root?.mapping else {
            throw reader.error(root, "expected a mapping with a 'targets' list; see docs/configuration.md")
        }
        try reader.requireKnown(top, allowed: ["defaults", "targets", "vantage"], what: "top level")
        let vantage = try top["vantage"].map { node -> String in
            guard let name = node.string, RecorderRunSpan.isVantageName(name) else {
                throw reader.error(node, "'vantage' must be 1 to 100 printable characters, e.g. vantage: eu-west")
            }
            return name
        }
        let defaults = try top["defaults"].map { node -> Node.Mapping in
            guard let mapping = node.mapping else { throw reader.error(node, "'defaults' must be a mapping") }
            try reader.requireKnown(mapping, allowed: settingFields, what: "defaults")
            return mapping
        } ?? [:]
        guard let list = top["targets"], let entries = list.sequence, !entries.isEmpty else {
            throw reader.error(top["targets"] ?? root, "'targets' must be a non-empty list of targets")
        }
        var seen: [String: Int] = [:]
        let targets = try entries.map { entry in
            guard let mapping = entry.mapping else { throw reader.error(entry, "each target must be a mapping") }
            try reader.requireKnown(mapping, allowed: settingFields.union(["name", "url"]), what: "a target")
            var scheduled = try reader.target(mapping, defaults: defaults, requireProbeable: requireProbeable)
            scheduled.alerts = try reader.alerts(mapping, defaults: defaults, commandExists: commandExists)
            let line = entry.mark?.line ?? 0
            if let first = seen[scheduled.target.name] {
                throw reader.error(mapping["name"] ?? entry,
                                   "target name '\(scheduled.target.name)' is already used on line \(first); names must be unique")
            }
            seen[scheduled.target.name] = line
            return scheduled
        }
        return RecordConfiguration(targets: targets, vantage: vantage)
    }

    private static func oneLine(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            "line \(mark.line), column \(mark.column): \(problem)"
        default:
            "\(error)".split(separator: "\n").first.map(String.init) ?? "unreadable"
        }
    }

    /// Reads fields, turning every problem into an error at the node's line.
    private struct Reader {
        let file: String
        let directory: String

        func error(_ node: Node?, _ message: String) -> ConfigurationFileError {
            ConfigurationFileError.mistake(file: file, line: node?.mark?.line, problem: message)
        }

        /// A library's error about a field's value, in the file's words: the field names as written in it.
        func error(_ node: Node?, _ problem: JinaHistoryError) -> ConfigurationFileError {
            error(node, problem.message { $0 == .kind ? "field 'kind'" : $0.rawValue })
        }

        func requireKnown(_ mapping: Node.Mapping, allowed: Set<String>, what: String) throws {
            for key in mapping.keys {
                guard let name = key.string, allowed.contains(name) else {
                    throw error(key, "unknown field '\(key.string ?? "?")' in \(what); known: "
                        + allowed.sorted().joined(separator: ", "))
                }
            }
        }

        /// `notify` (one url or a list), `notify-format`, `on-transition` (one command or a list) and
        /// `notify-repeat`; a target's own replace the defaults'.
        func alerts(_ mapping: Node.Mapping, defaults: Node.Mapping, commandExists: (String) -> Bool) throws
            -> AlertPolicy
        {
            func field(_ name: String) -> Node? { mapping[name] ?? defaults[name] }
            func texts(_ name: String) throws -> [String] {
                guard let node = field(name) else { return [] }
                let items = node.sequence.map(Array.init) ?? [node]
                return try items.map { item in
                    guard let text = item.scalar?.string, !text.isEmpty else {
                        throw error(item, "field '\(name)' must be a value or a list of values")
                    }
                    return text
                }
            }
            do {
                let format = try NotificationFormat(parsing: field("notify-format")?.scalar?.string ?? "json")
                var destinations = try texts("notify").map { try NotificationDestination(webhook: $0, format: format) }
                for command in try texts("on-transition") {
                    guard commandExists(command) else {
                        throw JinaHistoryError.invalid(.onTransition, value: NotificationDestination.command(command).redacted,
                                                       .noSuchCommand)
                    }
                    destinations.append(.command(command))
                }
                let repeatMs = try field("notify-repeat")?.scalar.map {
                    try DurationText.milliseconds($0.string, for: .notifyRepeat)
                }
                return AlertPolicy(destinations: destinations, repeatMs: repeatMs)
            } catch let problem as JinaHistoryError {
                let input: String = switch problem {
                case .invalid(let input, _, _): input.rawValue
                default: "notify"
                }
                throw error(field(input), problem)
            }
        }

        func target(_ mapping: Node.Mapping, defaults: Node.Mapping, requireProbeable: (Target) throws -> Void) throws
            -> ScheduledTarget
        {
            func field(_ name: String) -> Node? { mapping[name] ?? defaults[name] }
            func text(_ name: String) throws -> String? {
                guard let node = field(name) else { return nil }
                guard let scalar = node.scalar, !scalar.string.isEmpty else {
                    throw error(node, "field '\(name)' must be a single value")
                }
                return scalar.string
            }
            func integer(_ name: String, default value: Int) throws -> Int {
                guard let raw = try text(name) else { return value }
                guard let number = Int(raw) else { throw error(field(name), "field '\(name)': '\(raw)' is not a whole number") }
                return number
            }
            func milliseconds(_ name: String, default value: String) throws -> Int64 {
                do {
                    let input = JinaHistoryError.Input(rawValue: name) ?? .interval
                    return try DurationText.milliseconds(try text(name) ?? value, for: input)
                } catch let problem as JinaHistoryError {
                    throw error(field(name), problem)
                }
            }
            func path(_ name: String) throws -> String? {
                try text(name).map { $0.hasPrefix("/") ? $0 : URL(fileURLWithPath: directory).appending(path: $0).path }
            }

            guard let url = try text("url") else { throw error(mapping.keys.first, "a target needs a 'url'") }
            let endpoint: Endpoint
            let kind: TargetKind
            do {
                endpoint = try Endpoint(parsing: url)
                kind = try TargetKind(parsing: try text("kind") ?? TargetKind.flow.rawValue)
            } catch let problem as JinaHistoryError {
                throw error(mapping["url"], problem)
            }
            let insecure = try text("insecure") ?? "false"
            guard let skipsVerification = Bool(insecure.lowercased()) else {
                throw error(field("insecure"), "field 'insecure' must be true or false")
            }
            var labels: [String: String] = [:]
            for source in [defaults["labels"], mapping["labels"]].compactMap({ $0 }) {
                guard let pairs = source.mapping else { throw error(source, "field 'labels' must be a mapping of names to values") }
                for (key, value) in pairs {
                    guard let name = key.string, let text = value.scalar?.string else {
                        throw error(value, "label '\(key.string ?? "?")' must have a single value")
                    }
                    labels[name] = text
                }
            }
            let target = Target(
                name: try text("name") ?? "\(kind.rawValue)@\(endpoint)", kind: kind, endpoint: endpoint,
                tls: TLSOptions(caCertificatePath: try path("ca-cert"), clientCertificatePath: try path("client-cert"),
                                clientKeyPath: try path("client-key"), skipsVerification: skipsVerification),
                labels: labels)
            do {
                let retries = try integer("retries", default: 0)
                let policy = try ProbePolicy(
                    intervalMs: try milliseconds("interval", default: "5s"),
                    timeoutMs: try milliseconds("timeout", default: "3s"),
                    attempts: retries >= 0 ? retries + 1 : 0,
                    retryDelayMs: try milliseconds("retry-delay", default: "200ms"),
                    minSuccesses: try integer("min-successful-attempts", default: 1),
                    failureThreshold: try integer("failure-threshold", default: 1),
                    successThreshold: try integer("success-threshold", default: 1))
                try requireProbeable(target)
                return ScheduledTarget(target: target, policy: policy)
            } catch let problem as JinaHistoryError {
                throw error(mapping["name"] ?? mapping["url"], problem)
            }
        }
    }
}

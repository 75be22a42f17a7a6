import ArgumentParser
import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryPostgres
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite

/// The `jina-history` command: records the readiness history of Jina services and reports on it.
@main
struct JinaHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jina-history",
        abstract: "Keep the readiness history of Jina services: record it, then report uptime, latency and outages.",
        version: "\(JinaHistoryVersion.current) (history schema \(HistorySchema.version))",
        subcommands: [
            RecordCommand.self, ReportCommand.self, PingCommand.self, AnnotateCommand.self, ExportCommand.self,
            TimelineCommand.self, DatabaseCommand.self, PruneCommand.self, NotifyTestCommand.self, ServeCommand.self,
        ])

    /// Runs the command. A command line that does not parse gets one line saying what is wrong and where the
    /// help is, and exit code 2 like every other bad input (not the usage screen and 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure, !(error is ExitCode) else { exit(withError: error) }
            let commands = configuration.subcommands.compactMap { $0.configuration.commandName }
            var problem = message(for: error).split(separator: "\n").first.map(String.init) ?? "bad command line"
            var help = "jina-history --help"
            if let first = CommandLine.arguments.dropFirst().first, !first.hasPrefix("-") {
                if commands.contains(first) {
                    help = "jina-history \(first) --help"
                } else {
                    problem = "unknown command '\(first)'; the commands are \(commands.joined(separator: ", "))"
                }
            }
            if problem.hasSuffix(".") { problem.removeLast() }
            Console.message("jina-history: error: \(problem.replacingOccurrences(of: "Error: ", with: "")); see '\(help)'\n")
            exit(withError: ExitCode(2))
        }
    }
}

/// Runs `body`, turning errors into one line on stderr and an exit code: 2 for bad input, 3 for storage problems,
/// 4 when another recorder already writes to the database. The libraries' errors are worded here, with the
/// command's flag for each input (`naming`; a positional argument is named by itself).
func reportingErrors<T>(naming: @escaping (JinaHistoryError.Input) -> String = { "--\($0.rawValue)" },
                        _ body: () async throws -> T) async throws -> T {
    // Past a file-size limit (ulimit -f) a write should fail like a full disk, not kill the recorder.
    signal(SIGXFSZ, SIG_IGN)
    func fail(_ line: String, _ code: Int32) -> ExitCode {
        Console.message("jina-history: error: \(line.oneLine(limit: 2_000))\n")
        return ExitCode(code)
    }
    do {
        return try await body()
    } catch let error as JinaHistoryError {
        switch error {
        case .invalid, .unsupportedTarget: throw fail(error.message(naming: naming), 2)
        case .storage: throw fail(error.message(naming: naming), 3)
        case .recorderRunning: throw fail(error.message(naming: naming), 4)
        }
    } catch let error as ConfigurationFileError {
        throw fail(error.message(flag: "--config"), 2)
    } catch let error as UsageError {
        throw fail(error.message, 2)
    } catch let error as OutputError {
        throw fail(error.message, 3)
    }
}

/// `--db`, shared by the commands that use the history database.
struct DatabaseOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        // No brackets: zsh's completion specs end a description at the first `]`.
        "History database: a SQLite file, or a postgres://USER@HOST:PORT/DB url (default: $JINA_HISTORY_DB, else "
            + "$XDG_DATA_HOME/jina-history/history.sqlite).",
        valueName: "path-or-url"))
    var db: String?

    /// The history from `--db` and the environment: a SQLite file, or a PostgreSQL database for a `postgres://`
    /// url (checked here, so a malformed one never becomes a file named after it).
    ///
    /// - throws: ``JinaHistoryError`` for a malformed url, shown without its password.
    func store() throws -> HistoryStore {
        try HistoryStore(location: DatabaseLocation.resolve(flag: db, environment: ProcessInfo.processInfo.environment))
    }
}

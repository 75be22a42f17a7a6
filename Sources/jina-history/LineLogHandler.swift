import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite
import Logging

/// `record`'s log lines through swift-log: as plain text (the message; warnings and errors to stderr) or, with
/// `--log-format json`, one JSON object per line on stdout for log shippers (time, level, message and the
/// metadata, numbers as numbers).
struct LineLogHandler: LogHandler {
    /// How lines are written.
    enum Format: String, CaseIterable {
        case text, json
    }

    let format: Format
    var logLevel = Logger.Level.info
    var metadata = Logger.Metadata()

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        switch format {
        case .text:
            let line = event.message.description + "\n"
            Console.message(line, to: event.level >= .warning ? .standardError : .standardOutput)
        case .json:
            var object: [String: JSONValue] = [
                "time": .string(TimeText.rfc3339(RunClock.wallNowMs())), "level": .string(event.level.rawValue),
                "message": .string(event.message.description),
            ]
            for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
                object[key] = Self.json(value)
            }
            Console.message(JSONText.line(.object(object)) + "\n", to: .standardOutput)
        }
    }

    private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let number as Int): .integer(Int64(number))
        case .stringConvertible(let number as Int64): .integer(number)
        case .stringConvertible(let number as Double): .number(number)
        case .stringConvertible(let other): .string(other.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let values): .object(values.mapValues(json))
        }
    }
}

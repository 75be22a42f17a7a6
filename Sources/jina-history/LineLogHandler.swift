import Foundation
import JinaHistoryKit
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
            var object: [String: Any] = [
                "time": TimeText.rfc3339(RunClock.wallNowMs()), "level": event.level.rawValue,
                "message": event.message.description,
            ]
            for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
                object[key] = Self.json(value)
            }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
                ?? Data("{}".utf8)
            Console.message(String(decoding: data, as: UTF8.self) + "\n", to: .standardOutput)
        }
    }

    private static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let number as Int): number
        case .stringConvertible(let number as Int64): number
        case .stringConvertible(let number as Double): number
        case .stringConvertible(let other): other.description
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }
}

/// An error that escapes the library (bad input, storage): what went wrong and what to do, in one line.
public struct JinaHistoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Broad kind of failure, which the CLI maps to an exit code.
    public enum Kind: Sendable, Equatable {
        /// The user's flags, urls, durations or times are wrong.
        case badInput
        /// The database cannot be opened, read or written.
        case storage
        /// Another process already does what was asked (a second recorder on one database).
        case conflict
    }

    /// Broad kind of failure.
    public var kind: Kind
    /// One line: what is wrong and what to do about it.
    public var message: String

    /// An error of `kind`; the message is made one line (it often quotes what the user or a file said, which
    /// can hold line breaks and terminal escapes).
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message.oneLine(limit: 2_000)
    }

    /// Bad flags, urls, durations or times.
    public static func badInput(_ message: String) -> JinaHistoryError { .init(kind: .badInput, message: message) }
    /// A database that cannot be used.
    public static func storage(_ message: String) -> JinaHistoryError { .init(kind: .storage, message: message) }
    /// Another process is already doing it.
    public static func conflict(_ message: String) -> JinaHistoryError { .init(kind: .conflict, message: message) }

    /// The message itself.
    public var description: String { message }
}

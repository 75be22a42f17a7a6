public import Foundation
public import JinaHistoryCore

/// A storage engine as the contract's checks see it: it makes empty stores and opens writers and readers on them
/// through the storage interface alone. Each engine's test target gives one and runs every
/// ``StorageContract/Check`` on it.
public protocol StorageEngineUnderTest: Sendable, CustomStringConvertible {
    /// A new, empty store of the check's own (a file in `directory`, or a database of its own on a server).
    func makeStore(in directory: URL) throws -> StoreUnderTest
}

/// One empty store made for one check.
public struct StoreUnderTest {
    /// Opens a writer on the store, as a recorder, `annotate` or `prune` each does in its own process.
    public var openWriter: () throws -> any HistoryWriting
    /// Opens a reader on the store, as a report does.
    public var openReader: () throws -> any HistoryReading

    /// Creates a store from how to open it.
    public init(openWriter: @escaping () throws -> any HistoryWriting,
                openReader: @escaping () throws -> any HistoryReading) {
        self.openWriter = openWriter
        self.openReader = openReader
    }
}

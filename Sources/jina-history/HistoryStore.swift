import Foundation
import JinaHistoryCore
import JinaHistoryPostgres
import JinaHistorySQLite

/// The history `--db` names: a SQLite file (the embedded default) or a PostgreSQL database (`postgres://…`), opened
/// through the storage interface, so every command works on both alike.
enum HistoryStore {
    /// A SQLite file.
    case sqlite(path: String)
    /// A PostgreSQL database.
    case postgres(PostgresAddress)

    /// The store `location` names.
    ///
    /// - throws: ``JinaHistoryError`` for a malformed `postgres://` url (shown without its password).
    init(location: String) throws {
        self = PostgresAddress.isURL(location) ? .postgres(try PostgresAddress(url: location)) : .sqlite(path: location)
    }

    /// Where the history is, as it may be printed (a url without its password).
    var location: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let address): address.description
        }
    }

    /// A writer, creating and migrating the history where there is none yet.
    func openWriter() throws -> any HistoryWriting {
        switch self {
        case .sqlite(let path): try HistoryWriter(path: path)
        case .postgres(let address): try PostgresHistoryWriter(address: address)
        }
    }

    /// A reader of an existing history; nothing is created.
    func openReader() throws -> any HistoryReading {
        switch self {
        case .sqlite(let path): try HistoryReader(path: path)
        case .postgres(let address): try PostgresHistoryReader(address: address)
        }
    }
}

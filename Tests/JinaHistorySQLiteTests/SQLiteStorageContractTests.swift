import Foundation
import JinaHistorySQLite
import JinaHistoryStorageContract
import Testing

/// SQLite as the storage contract sees it: one file per store.
struct SQLiteEngine: StorageEngineUnderTest {
    var description: String { "SQLite" }

    func makeStore(in directory: URL) throws -> StoreUnderTest {
        let path = directory.appending(path: "history.sqlite").path
        return StoreUnderTest(openWriter: { try HistoryWriter(path: path) },
                              openReader: { try HistoryReader(path: path) })
    }
}

/// Every check of the storage contract, on SQLite files.
@Suite("storage contract: SQLite")
struct SQLiteStorageContractTests {
    @Test("the storage contract", arguments: StorageContract.Check.allCases)
    func contract(_ check: StorageContract.Check) throws {
        try StorageContract(engine: SQLiteEngine()).run(check)
    }
}

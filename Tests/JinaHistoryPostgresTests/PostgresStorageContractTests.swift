import Foundation
import JinaHistoryPostgres
import JinaHistoryStorageContract
import Testing

/// PostgreSQL as the storage contract sees it: a database of its own per store, on the throwaway server.
struct PostgresEngine: StorageEngineUnderTest {
    /// The store's database.
    let url: String

    var description: String { "PostgreSQL" }

    func makeStore(in directory: URL) throws -> StoreUnderTest {
        let address = try PostgresAddress(url: url, environment: [:], homeDirectory: "/nonexistent")
        return StoreUnderTest(openWriter: { try PostgresHistoryWriter(address: address) },
                              openReader: { try PostgresHistoryReader(address: address) })
    }
}

/// Every check of the storage contract, the same bodies as on SQLite, on a real PostgreSQL.
@Suite("storage contract: PostgreSQL", .enabled(if: TestPostgres.isRunning))
struct PostgresStorageContractTests {
    @Test("the storage contract", arguments: StorageContract.Check.allCases)
    func contract(_ check: StorageContract.Check) async throws {
        try await TestPostgres.withFreshDatabase { url in
            try StorageContract(engine: PostgresEngine(url: url)).run(check)
        }
    }
}

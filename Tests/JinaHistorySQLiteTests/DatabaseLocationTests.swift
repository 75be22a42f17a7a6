import JinaHistorySQLite
import Testing

/// Where the history database is when no `--db` says.
@Suite("database location")
struct DatabaseLocationTests {
    @Test("the database path: --db, then JINA_HISTORY_DB, then XDG_DATA_HOME, then ~/.local/share")
    func databaseLocation() {
        #expect(DatabaseLocation.resolve(flag: "/x.db", environment: ["JINA_HISTORY_DB": "/y.db"]) == "/x.db")
        #expect(DatabaseLocation.resolve(flag: nil, environment: ["JINA_HISTORY_DB": "/y.db"]) == "/y.db")
        #expect(DatabaseLocation.resolve(flag: nil, environment: ["XDG_DATA_HOME": "/data", "HOME": "/home/u"])
            == "/data/jina-history/history.sqlite")
        #expect(DatabaseLocation.resolve(flag: nil, environment: ["HOME": "/home/u"])
            == "/home/u/.local/share/jina-history/history.sqlite")
    }
}

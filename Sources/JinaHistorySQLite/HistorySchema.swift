import JinaHistoryCore
/// The history database's schema as this binary knows it.
public enum HistorySchema {
    /// The highest migration version embedded in this binary (`PRAGMA user_version` of a current database).
    public static var version: Int { HistoryDatabase.latestVersion }
}

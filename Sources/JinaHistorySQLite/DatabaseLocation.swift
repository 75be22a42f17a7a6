import JinaHistoryCore
/// Where the history database lives: `--db`, else `JINA_HISTORY_DB`, else
/// `$XDG_DATA_HOME/jina-history/history.sqlite` (XDG's default: `~/.local/share/jina-history/history.sqlite`).
public enum DatabaseLocation {
    /// The database path for a `--db` flag (possibly absent) and an environment.
    public static func resolve(flag: String?, environment: [String: String]) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let path = environment["JINA_HISTORY_DB"], !path.isEmpty { return path }
        let dataHome =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "\(environment["HOME"] ?? ".")/.local/share"
        return "\(dataHome)/jina-history/history.sqlite"
    }
}

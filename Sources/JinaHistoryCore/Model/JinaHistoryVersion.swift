/// The version of jina-history, stored with every recorder run.
public enum JinaHistoryVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}

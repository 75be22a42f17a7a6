/// What `jina-history prune` deleted.
public struct PruneResult: Hashable, Sendable {
    /// Raw rounds deleted (their time lives on in rollup spans).
    public var rounds = 0
    /// Attempts of those rounds deleted.
    public var attempts = 0
    /// Database pages given back to the file system.
    public var pagesFreed = 0

    /// Nothing deleted yet.
    public init() {}
}

public import JinaHistoryCore

/// What a configuration file gives `record`: its targets, and where the recorder stands when the file says.
public struct RecordConfiguration: Sendable {
    /// The targets, in the file's order.
    public var targets: [ScheduledTarget]
    /// The file's `vantage` (docs/semantics.md §9); `nil` when it names none (`--vantage` or the host's name).
    public var vantage: String?
}

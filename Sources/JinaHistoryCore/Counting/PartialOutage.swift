/// A maximal stretch of a target's partial time in a combined view of several vantages (docs/semantics.md §9):
/// some vantages saw it down while others saw it up.
public struct PartialOutage: Hashable, Sendable {
    /// Start, UTC epoch ms.
    public var startedMs: Int64
    /// End, UTC epoch ms (within the window).
    public var endedMs: Int64
    /// The vantages that saw the target down, by name.
    public var failing: [String]
    /// The vantages that saw it up meanwhile, by name.
    public var reachable: [String]
    /// The failing vantages whose outage there was vantage-wide (every target they record failed with a network
    /// class): the likely cause is their own network.
    public var vantageWide: [String] = []

    /// Creates a partial outage.
    public init(startedMs: Int64, endedMs: Int64, failing: [String], reachable: [String], vantageWide: [String] = []) {
        self.startedMs = startedMs
        self.endedMs = endedMs
        self.failing = failing
        self.reachable = reachable
        self.vantageWide = vantageWide
    }

    /// Length in milliseconds.
    public var durationMs: Int64 { endedMs - startedMs }
}

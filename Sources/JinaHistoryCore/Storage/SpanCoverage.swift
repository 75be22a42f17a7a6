/// Which stored rounds a rollup span already stands for, asked in slot order: a store passes over those rounds
/// instead of building them.
public struct SpanCoverage: Sendable {
    /// Per target (by its position in `lists`), its spans in slot order and the first one not yet passed. Asked
    /// once per raw row: the dictionary is only read, the positions move in an array.
    private let position: [Int64: Int]
    private let lists: [[SpanKey]]
    private var next: [Int]

    /// Coverage by `spans` (in key order).
    public init(_ spans: [SpanKey]) {
        let byTarget = Array(Dictionary(grouping: spans, by: \.targetId))
        lists = byTarget.map(\.value)
        position = Dictionary(uniqueKeysWithValues: byTarget.enumerated().map { ($1.key, $0) })
        next = Array(repeating: 0, count: lists.count)
    }

    /// No coverage: every round is wanted.
    public static let none = SpanCoverage([])

    /// Whether a span stands for the round of `targetId` and `runId` at `slot`; slots must be asked in order.
    public mutating func covers(targetId: Int64, runId: Int64, slotMs slot: Int64) -> Bool {
        guard let index = position[targetId] else { return false }
        let list = lists[index]
        var passed = next[index]
        while passed < list.count, list[passed].lastMs < slot { passed += 1 }
        next[index] = passed
        guard passed < list.count else { return false }
        return list[passed].firstMs <= slot && list[passed].runId == runId
    }
}

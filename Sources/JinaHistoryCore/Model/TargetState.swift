/// What the recorder believes about a target between rounds.
public enum TargetState: String, Codable, Sendable {
    /// No verdict yet in this recorder run.
    case unknown
    /// Ready.
    case up
    /// Not ready.
    case down
}

/// Whom a target's confirmed transitions are told to, and how often a lasting outage is recalled
/// (docs/notifications.md).
public struct AlertPolicy: Hashable, Codable, Sendable {
    /// No notifications.
    public static let none = AlertPolicy()

    /// Every destination, in the order given.
    public var destinations: [NotificationDestination]
    /// A reminder every this many milliseconds while an outage lasts; `nil` for none.
    public var repeatMs: Int64?

    /// Creates a policy.
    public init(destinations: [NotificationDestination] = [], repeatMs: Int64? = nil) {
        self.destinations = destinations
        self.repeatMs = repeatMs
    }

    /// Whether anything is ever sent.
    public var isEnabled: Bool { !destinations.isEmpty }
}

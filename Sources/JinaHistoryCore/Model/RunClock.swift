import Foundation

/// The clock of one recorder run: wall time read once at the start, then advanced by the monotonic clock, so
/// the grid, durations and stored times stay consistent when the system clock is stepped during a run.
public struct RunClock: Sendable {
    /// Wall time at the start, UTC epoch milliseconds.
    public let startMs: Int64
    /// Monotonic instant at the start.
    public let startInstant: ContinuousClock.Instant

    /// Starts a run clock at `startMs` (defaults to the wall clock now).
    public init(startMs: Int64 = RunClock.wallNowMs()) {
        self.startMs = startMs
        self.startInstant = ContinuousClock.now
    }

    /// Now, on this run's clock, in UTC epoch milliseconds.
    public func nowMs() -> Int64 { milliseconds(at: ContinuousClock.now) }

    /// `instant` on this run's clock, in UTC epoch milliseconds.
    public func milliseconds(at instant: ContinuousClock.Instant) -> Int64 {
        startMs + (instant - startInstant).wholeMicroseconds / 1_000
    }

    /// The monotonic instant of `epochMs` on this run's clock.
    public func instant(atMs epochMs: Int64) -> ContinuousClock.Instant {
        startInstant + .milliseconds(epochMs - startMs)
    }

    /// The system's wall clock, UTC epoch milliseconds.
    public static func wallNowMs() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000).rounded())
    }
}

extension Duration {
    /// Whole microseconds, truncated.
    public var wholeMicroseconds: Int64 {
        components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
    }
}

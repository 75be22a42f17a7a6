import Foundation
public import JinaHistoryRecorder
import Testing

/// Seeded fuzzing for bounded time (`JINA_HISTORY_FUZZ_SECONDS`, default 1 s; the benchmark suite runs longer):
/// runs `body` on generated inputs until the time is up and returns how many ran, failing on one input taking
/// longer than a second or on too few inputs.
@discardableResult
public func fuzz(_ name: String, _ body: (inout SplitMix64) throws -> Void) rethrows -> Int {
    let seed = ProcessInfo.processInfo.environment["JINA_HISTORY_FUZZ_SEED"].flatMap(UInt64.init) ?? 7_919
    let seconds = ProcessInfo.processInfo.environment["JINA_HISTORY_FUZZ_SECONDS"].flatMap(Double.init) ?? 1
    var random = SplitMix64(seed: seed)
    let deadline = ContinuousClock.now + .seconds(seconds)
    var count = 0
    while ContinuousClock.now < deadline {
        let started = ContinuousClock.now
        try body(&random)
        #expect(ContinuousClock.now - started < .seconds(1), "\(name): input \(count) (seed \(seed)) was slow")
        count += 1
    }
    #expect(count > 100, "\(name) ran only \(count) inputs")
    if ProcessInfo.processInfo.environment["JINA_HISTORY_FUZZ_SECONDS"] != nil {
        print("fuzz \(name): \(count) inputs in \(seconds) s, seed \(seed)")  // for scripts/bench
    }
    return count
}

/// One of `items`, picked by `random`.
public func pick<T>(_ items: [T], _ random: inout SplitMix64) -> T {
    items[Int(random.next() % UInt64(items.count))]
}

/// Text of up to `maxLength` scalars, ASCII, controls and beyond.
public func randomText(_ random: inout SplitMix64, maxLength: Int = 40) -> String {
    let length = Int(random.next() % UInt64(maxLength + 1))
    return String(String.UnicodeScalarView((0..<length).compactMap { _ in
        switch random.next() % 4 {
        case 0: Unicode.Scalar(UInt8(random.next() % 128))
        case 1: Unicode.Scalar(UInt32(random.next() % 0x3000))
        default: Unicode.Scalar(UInt8(32 + random.next() % 95))
        }
    }))
}

import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryRender
import JinaHistoryRecorder
import JinaHistoryTestSupport
import Testing

@Suite("parsing user input")
struct DomainParsingTests {
    @Test("urls: scheme optional (gRPC), IPv6 in brackets, canonical form")
    func urls() throws {
        #expect(try Endpoint(parsing: "127.0.0.1:52100").description == "grpc://127.0.0.1:52100")
        #expect(try Endpoint(parsing: "grpc://localhost:1/").description == "grpc://localhost:1")
        #expect(try Endpoint(parsing: "http://127.0.0.1:8080").transport == .http)
        #expect(try Endpoint(parsing: "WS://127.0.0.1:8080").description == "ws://127.0.0.1:8080")
        let v6 = try Endpoint(parsing: "grpc://[::1]:8080")
        #expect(v6.host == "::1" && v6.port == 8080 && v6.description == "grpc://[::1]:8080")
        for (url, transport) in [("grpcs://h:1", Endpoint.Transport.grpc), ("HTTPS://h:1", .http), ("wss://h:1", .websocket)] {
            let endpoint = try Endpoint(parsing: url)
            #expect(endpoint.secure && endpoint.transport == transport && endpoint.description == url.lowercased())
        }
        #expect(try Endpoint(parsing: "http://h:1").secure == false)
    }

    @Test("bad urls name the problem", arguments: [
        ("127.0.0.1", "has no port"), ("127.0.0.1:0", "from 1 to 65535"), ("127.0.0.1:99999", "from 1 to 65535"),
        ("ftp://h:1", "unknown scheme 'ftp'"), ("gopher://h:1", "grpcs://, https://, wss://"), (":80", "has no host"),
        ("h:port", "must be a number"),
    ])
    func badUrls(url: String, problem: String) {
        #expect { try Endpoint(parsing: url) } throws: { error in
            (error as? JinaHistoryError)?.description.contains(problem) == true
        }
    }

    @Test("errors are typed: a caller matches the input, the value and the problem; each edge names the input")
    func typedErrors() throws {
        #expect(throws: JinaHistoryError.invalid(.url, value: "127.0.0.1", .url(.noPort))) {
            try Endpoint(parsing: "127.0.0.1")
        }
        #expect(throws: JinaHistoryError.invalid(.interval, value: "5ms", .below("10ms"))) {
            try ProbePolicy(intervalMs: 5, timeoutMs: 1)
        }
        #expect(throws: JinaHistoryError.invalid(.retryDelay, value: "-1s", .negativeDuration)) {
            try DurationText.milliseconds("-1s", for: .retryDelay)
        }
        let error = JinaHistoryError.invalid(.retryDelay, value: "-1s", .negativeDuration)
        #expect(error.message { "--\($0.rawValue)" } == "--retry-delay '-1s': a duration is never negative; write 1s")
        #expect(error.message { $0.rawValue } == "retry-delay '-1s': a duration is never negative; write 1s")
        let newer = JinaHistoryError.storage(StorageProblem(location: "h.sqlite", reason: .newerSchema(found: 9, known: 7)))
        guard case .storage(let problem) = newer, case .newerSchema(let found, let known) = problem.reason else {
            Issue.record("not a newer schema")
            return
        }
        #expect(found == 9 && known == 7)
    }

    @Test("durations take units, fractions and sums")
    func durations() throws {
        #expect(try DurationText.milliseconds("10ms", for: .interval) == 10)
        #expect(try DurationText.milliseconds("1.5s", for: .interval) == 1_500)
        #expect(try DurationText.milliseconds("5m", for: .interval) == 300_000)
        #expect(try DurationText.milliseconds("2h", for: .interval) == 7_200_000)
        #expect(try DurationText.milliseconds("7d", for: .interval) == 604_800_000)
        #expect(try DurationText.milliseconds("1h30m", for: .interval) == 5_400_000)
        for bad in ["", "5", "5x", "ms", "-1s", "1s5"] {
            #expect(throws: JinaHistoryError.self) { try DurationText.milliseconds(bad, for: .interval) }
        }
    }

    @Test("times: durations back from now, now, RFC 3339 with or without fractions and offsets")
    func times() throws {
        let now: Int64 = 1_795_000_000_000
        #expect(try TimeText.epochMilliseconds("now", for: .since, nowMs: now) == now)
        #expect(try TimeText.epochMilliseconds("24h", for: .since, nowMs: now) == now - 86_400_000)
        #expect(try TimeText.epochMilliseconds("2026-11-24T10:00:00Z", for: .since, nowMs: now) == 1_795_514_400_000)
        #expect(try TimeText.epochMilliseconds("2026-11-24T11:00:00.250+01:00", for: .since, nowMs: now)
            == 1_795_514_400_250)
        #expect(throws: JinaHistoryError.self) { try TimeText.epochMilliseconds("yesterday-ish", for: .since, nowMs: now) }
        #expect(TimeText.rfc3339(1_795_514_400_250) == "2026-11-24T10:00:00.250Z")
        // The hand-made formatter says what Foundation's does, from 1900 to 2200, milliseconds included.
        let foundation = ISO8601DateFormatter()
        foundation.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        foundation.timeZone = TimeZone(identifier: "UTC")
        var random = SplitMix64(seed: 5)
        for _ in 0..<2_000 {
            let ms = Int64.random(in: -2_208_988_800_000..<7_258_118_400_000, using: &random)
            #expect(TimeText.rfc3339(ms) == foundation.string(from: Date(timeIntervalSince1970: Double(ms) / 1_000)),
                    "\(ms)")
        }
        #expect(TimeText.rfc3339(253_402_300_800_000) == "10000-01-01T00:00:00.000Z")
    }

    @Test("windows: today, yesterday, dates, local times and unix seconds, read in --tz")
    func windowsInZones() throws {
        let now: Int64 = 1_795_514_400_000  // 2026-11-24T10:00:00Z, 11:00 in Berlin
        let berlin = try TimeText.zone(named: "Europe/Berlin")
        func at(_ text: String, _ zone: TimeZone = .gmt) throws -> Int64 {
            try TimeText.epochMilliseconds(text, for: .since, nowMs: now, zone: zone)
        }
        #expect(try at("today") == 1_795_478_400_000)
        #expect(try at("today", berlin) == 1_795_474_800_000, "Berlin's midnight is 23:00 UTC the day before")
        #expect(try at("yesterday", berlin) == 1_795_388_400_000)
        #expect(try at("2026-11-24", berlin) == 1_795_474_800_000)
        #expect(try at("2026-11-24T11:00", berlin) == now)
        #expect(try at("2026-11-24 11:00:00.250", berlin) == now + 250)
        #expect(try at("2026-11-24T10:00:00Z", berlin) == now, "an explicit offset wins over --tz")
        #expect(try at("1795514400") == now)
        #expect(try at("2w") == now - 1_209_600_000)
        // DST: the day the clocks go forward has 23 hours, the day they go back 25.
        #expect(try at("2026-03-30", berlin) - at("2026-03-29", berlin) == 23 * 3_600_000)
        #expect(try at("2026-10-26", berlin) - at("2026-10-25", berlin) == 25 * 3_600_000)
        #expect(try TimeText.zone(named: "+05:30").secondsFromGMT() == 19_800)
        #expect(TimeText.rfc3339(now, zone: berlin) == "2026-11-24T11:00:00.000+01:00")
        #expect(TimeText.rfc3339(now, zone: try TimeText.zone(named: "UTC")) == "2026-11-24T10:00:00.000Z")
        for (bad, problem) in [("5", "a bare number is unix seconds"), ("2026-02-30", "is not a time"),
                               ("2026-11-24T25:00", "is not a time")] {
            #expect { try at(bad) } throws: { ($0 as? JinaHistoryError)?.description.contains(problem) == true }
        }
        #expect { try TimeText.zone(named: "Mars/Olympus") } throws: {
            ($0 as? JinaHistoryError)?.description.contains("--tz 'Mars/Olympus' is not a time zone") == true
        }
    }

    @Test("a round policy decides as soon as the verdict is known")
    func earlyVerdict() throws {
        let policy = try ProbePolicy(intervalMs: 1_000, timeoutMs: 100, attempts: 3, minSuccesses: 2)
        let ok = AttemptRecord(number: 1, startedMs: 0, durationUs: 1)
        let failed = AttemptRecord(number: 1, startedMs: 0, durationUs: 1, failure: FailureDetail(.timeout, message: ""))
        #expect(policy.verdict(after: [ok]) == nil)
        #expect(policy.verdict(after: [ok, ok]) == .up)
        #expect(policy.verdict(after: [failed, failed]) == .down, "two failures of three leave no way to two successes")
        #expect(policy.verdict(after: [failed, ok]) == nil)
    }

    @Test("combinations Jina does not serve are refused at start-up", arguments: [
        (TargetKind.executor, "http://127.0.0.1:1", "executors are probed over gRPC"),
        (.executor, "ws://127.0.0.1:1", "executors are probed over gRPC"),
        (.deployment, "ws://127.0.0.1:1", "no WebSocket Deployments"),
    ])
    func unsupportedCombinations(kind: TargetKind, url: String, problem: String) throws {
        let target = Target(kind: kind, endpoint: try Endpoint(parsing: url))
        #expect { try target.requireSupported() } throws: { error in
            (error as? JinaHistoryError)?.description.contains(problem) == true
        }
        try Target(kind: .gateway, endpoint: try Endpoint(parsing: url)).requireSupported()
    }
}

/// How long a round can keep its target busy, which `record`'s start-up warning says (docs/semantics.md §2).
@Suite("round length")
struct RoundLengthTests {
    private func scheduled(_ kind: TargetKind, intervalMs: Int64, timeoutMs: Int64, attempts: Int = 1,
                           retryDelayMs: Int64 = 0) throws -> ScheduledTarget {
        ScheduledTarget(
            target: Target(kind: kind, endpoint: try Endpoint(parsing: "127.0.0.1:1")),
            policy: try ProbePolicy(intervalMs: intervalMs, timeoutMs: timeoutMs, attempts: attempts,
                                    retryDelayMs: retryDelayMs))
    }

    @Test("every call counts: a flow's timed-out attempt and its gateway-liveness call, and the slots they skip")
    func everyCallCounts() throws {
        // The case a new user met: 2 s timeout at a 1 s interval; the liveness call gets at least 1 s.
        let flow = try scheduled(.flow, intervalMs: 1_000, timeoutMs: 2_000)
        #expect(flow.longestRoundCallsMs == 3_000 && flow.slotsAHungRoundSkips == 2)
        #expect(try scheduled(.executor, intervalMs: 1_000, timeoutMs: 2_000).longestRoundCallsMs == 2_000)
        // The defaults (5 s, 3 s): the liveness call gets what is left before the next slot, so no slot is skipped.
        let defaults = try scheduled(.flow, intervalMs: 5_000, timeoutMs: 3_000)
        #expect(defaults.longestRoundCallsMs == 5_000 && defaults.slotsAHungRoundSkips == 0)
        #expect(defaults.policy.gatewayLivenessTimeoutMs(elapsedMs: 1) == 3_000, "never more than the timeout")
        let retries = try scheduled(.deployment, intervalMs: 10_000, timeoutMs: 3_000, attempts: 3, retryDelayMs: 500)
        #expect(retries.longestRoundCallsMs == 10_000 + 1_000 && retries.slotsAHungRoundSkips == 1)
    }
}

import Foundation
import JinaHistoryCore
import JinaHistoryProbes
import JinaHistorySQLite
import JinaHistoryTestSupport
import JinaHistoryFakes
import Testing

/// The whole path against a real Jina 3.34.0 Flow over gRPC: record, kill -9 the executor, restart one on the
/// same port, stop the recorders, and check what the report says against what the test did and when.
@Suite("real Jina, end to end", .serialized)
struct RealJinaEndToEndTests {
    static let intervalMs: Int64 = 400

    @Test("a killed and restarted executor is one outage, seen by flow and executor targets but not the gateway")
    func executorOutageAndRecovery() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let gatewayPort = try freePort()
        let executorPort = try freePort()
        let flow = try await JinaFixture.start([
            "--kind", "flow", "--protocol", "grpc", "--port", "\(gatewayPort)", "--executor-port", "\(executorPort)",
        ])
        var replacement: JinaFixture?
        var recorders: [String: ChildProcess] = [:]
        let metricsURL = "http://127.0.0.1:\(try freePort())/metrics"
        // The flow recorder tells a webhook receiver of its transitions.
        let receiver = try await WebhookReceiver()
        do {
            for (kind, port) in [("flow", gatewayPort), ("executor", executorPort), ("gateway", gatewayPort)] {
                recorders[kind] = try ChildProcess(TestPaths.binary, [
                    "record", "127.0.0.1:\(port)", "--kind", kind, "--db", directory.appending(path: "\(kind).sqlite").path,
                    "--interval", "\(Self.intervalMs)ms", "--timeout", "2s", "--print-rounds", "always",
                ] + (kind == "flow" ? [
                    "--metrics-listen", String(metricsURL.dropFirst(7).dropLast(8)), "--notify", receiver.url("/hook/e2e-TOKEN"),
                ] : []))
            }
            let flowRecorder = recorders["flow"]!
            let executorRecorder = recorders["executor"]!
            try await waitUntil("3 up rounds of flow and executor", timeout: .seconds(30)) {
                upCount(flowRecorder) >= 3 && upCount(executorRecorder) >= 3
            }
            // A report while the recorder writes: read-only, it neither fails nor blocks the recorder.
            let during = try await jsonReport(directory.appending(path: "flow.sqlite").path)
            #expect((during["targets"] as? [Any])?.count == 1)
            // Prometheus sees the same: up, and its up-round counter moving.
            let upScrape = try await scrape(metricsURL)
            #expect(upScrape.value("jina_history_target_up") == 1)
            let upRounds = try #require(upScrape.value("jina_history_rounds_total", ["verdict": "up"]))
            #expect(upRounds >= 3)
            #expect(upScrape.families.allSatisfy { $0.hasPrefix("jina_history_") })

            let killMs = wallNowMs()
            kill(flow.executorPID, SIGKILL)
            try await waitUntil("3 down rounds of flow and executor", timeout: .seconds(30)) {
                downCount(flowRecorder) >= 3 && downCount(executorRecorder) >= 1
            }
            // The scrape flips with the state: down, failed attempts counted by class, counters never go back.
            let downScrape = try await scrape(metricsURL)
            #expect(downScrape.value("jina_history_target_up") == 0)
            #expect(downScrape.value("jina_history_target_state", ["state": "down"]) == 1)
            #expect((downScrape.value("jina_history_attempts_total", ["error_class": "not_ready"]) ?? 0) >= 3)
            #expect((downScrape.value("jina_history_rounds_total", ["verdict": "up"]) ?? 0) >= upRounds)
            #expect((downScrape.value("jina_history_availability_ratio") ?? 1) < 1)

            let restartMs = wallNowMs()
            replacement = try await JinaFixture.start(["--kind", "executor", "--port", "\(executorPort)"])
            let readyAgainMs = wallNowMs()
            // Jina's gateway reconnects to the executor with its own back-off, so the Flow is ready again some time
            // after the executor is: watch for that independently, at a finer grain than the recorder's interval.
            let flowTarget = Target(kind: .flow, endpoint: Endpoint(transport: .grpc, host: "127.0.0.1", port: gatewayPort))
            try await waitUntil("the flow to be ready again", timeout: .seconds(30), every: .milliseconds(25)) {
                await GRPCReadinessChecker().check(flowTarget, role: .readiness, timeout: .seconds(1)).failure == nil
            }
            let flowReadyAgainMs = wallNowMs()
            try await waitUntil("2 up rounds after recovery", timeout: .seconds(30)) {
                upAfterDown(flowRecorder) >= 2 && upAfterDown(executorRecorder) >= 2
            }
            // Exactly one down and one up event, counted by the recorder's metrics too.
            try await waitUntil("the up event", timeout: .seconds(10)) { receiver.requests.count >= 2 }
            let notified = try await scrape(metricsURL)
            #expect(notified.value("jina_history_notifications_total", ["outcome": "sent"]) == 2)
            #expect(notified.value("jina_history_notifications_total", ["outcome": "failed"]) == 0)

            for (kind, recorder) in recorders {
                let signalled = ContinuousClock.now
                recorder.send(kind == "gateway" ? SIGTERM : SIGINT)  // a supervisor's stop and a Ctrl-C alike
                try await recorder.waitForExit(timeout: .seconds(5))
                let stopTime = ContinuousClock.now - signalled
                #expect(recorder.exitStatus == 0, "\(kind) recorder: \(recorder.standardError)")
                #expect(stopTime < .seconds(1), "\(kind) recorder took \(stopTime) to stop cleanly")
            }

            let flowReport = try await onlyTarget(directory.appending(path: "flow.sqlite").path)
            let flowOutage = try checkOneOutage(flowReport, killMs: killMs, restart: restartMs...flowReadyAgainMs)
            try await checkEvents(receiver.requests, outage: flowOutage, killMs: killMs,
                                  restart: restartMs...flowReadyAgainMs)
            #expect(flowReport["notifications"] as? [String: Int] == ["sent": 2, "failed": 0, "not_sent": 0])
            #expect(flowOutage["error_class"] as? String == "not_ready")
            #expect(flowOutage["exception"] as? String == "InternalNetworkError")
            #expect((flowOutage["error_message"] as? String)?.contains("deployment echo") == true)
            #expect(flowOutage["deployment"] as? String == "echo")
            #expect(flowOutage["layer"] as? String == "flow_not_ready")

            let executorTarget = try await onlyTarget(directory.appending(path: "executor.sqlite").path)
            let executorOutage = try checkOneOutage(executorTarget, killMs: killMs, restart: restartMs...readyAgainMs)
            #expect(executorOutage["error_class"] as? String == "refused")
            // Its timeline: rounds that failed alike collapse into their first, one line and their last; every round
            // is still accounted for, and --every-round lists them all.
            let failedRounds = try #require(executorOutage["failed_rounds"] as? Int)
            let executorDB = directory.appending(path: "executor.sqlite").path
            let collapsed = try await runJinaHistory(["timeline", "--db", executorDB]).stdout.split(separator: "\n")
            let everyRound = try await runJinaHistory(["timeline", "--db", executorDB, "--every-round"]).stdout
                .split(separator: "\n")
            let listed = collapsed.filter { $0.contains("  round down") }.count
            let summarized = collapsed.compactMap { line -> Int? in
                guard let range = line.range(of: " more rounds like this until ") else { return nil }
                return Int(line[..<range.lowerBound].split(separator: " ").last ?? "")
            }
            #expect(everyRound.filter { $0.contains("  round down") }.count == failedRounds, "\(everyRound.joined(separator: "\n"))")
            #expect(listed + summarized.reduce(0, +) == failedRounds, "\(collapsed.joined(separator: "\n"))")
            if failedRounds >= 8 { #expect(collapsed.count < everyRound.count && listed <= 6, "\(collapsed.joined(separator: "\n"))") }

            let gatewayTarget = try await onlyTarget(directory.appending(path: "gateway.sqlite").path)
            #expect((gatewayTarget["outages"] as? [Any])?.isEmpty == true)
            #expect(gatewayTarget["availability"] as? Double == 1)
            #expect(gatewayTarget["down_s"] as? Double == 0)
            checkAccounting(gatewayTarget)

            // The HTML report of this recording, as a browser renders it.
            let html = directory.appending(path: "flow.html")
            let page = try await runJinaHistory(
                ["report", "--db", directory.appending(path: "flow.sqlite").path, "--since", "1h", "--format", "html"])
            try Data(page.stdout.utf8).write(to: html)
            // The latency chart is drawn (its per-bucket latencies are kept for HTML only).
            #expect(page.stdout.contains("<title>p50 "))
            let rendered = try await HeadlessBrowser.render(html)
            #expect(rendered.dom.contains("jina-history report") && rendered.dom.contains("InternalNetworkError"))
            #expect(rendered.dom.contains("flow_not_ready") && rendered.dom.contains("<svg"))
            #expect(rendered.colours >= 5 && rendered.inked > rendered.width * 20,
                    "the screenshot is not blank: \(rendered.colours) colours, \(rendered.inked) inked pixels")
        } catch {
            Issue.record(error, "recorder output: \(recorders.mapValues { $0.lines.suffix(20) })")
        }
        // Always reached: every process the test started is stopped by PID, whatever happened above.
        for recorder in recorders.values { await recorder.stop() }
        await receiver.stop()
        await replacement?.stop()
        await flow.stop()
    }

    /// Checks that the receiver got one `down` and one `up` event, valid by the schema, that agree with the
    /// report's outage, the up event's duration within two intervals of the one the test measured.
    private func checkEvents(_ requests: [WebhookReceiver.Request], outage: [String: Any], killMs: Int64,
                             restart: ClosedRange<Int64>) async throws {
        #expect(requests.map(\.uri) == ["/hook/e2e-TOKEN", "/hook/e2e-TOKEN"])
        let events = try requests.map { request in
            try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
        }
        #expect(events.map { $0["event"] as? String } == ["down", "up"])
        for request in requests { try await validateAgainstSchema(request.body, schema: "notification-event.schema.json") }
        let (down, up) = (events[0], events[1])
        #expect(down["error_class"] as? String == "not_ready" && down["layer"] as? String == "flow_not_ready")
        #expect(down["deployment"] as? String == "echo" && down["exception"] as? String == "InternalNetworkError")
        #expect(epochMs(down["outage_started_at"]) == epochMs(outage["started_at"]))
        #expect(epochMs(up["ended_at"]) == epochMs(outage["ended_at"]))
        let duration = try #require(up["duration_s"] as? Double)
        #expect(abs(duration - (outage["duration_s"] as? Double ?? -1)) < 0.001)
        let measuredMs = (restart.lowerBound - killMs)...(restart.upperBound - killMs)
        let durationMs = Int64(duration * 1_000)
        #expect(durationMs >= measuredMs.lowerBound - 2 * Self.intervalMs && durationMs <= measuredMs.upperBound + 2 * Self.intervalMs,
                "up event: \(durationMs) ms down; the test measured \(measuredMs) ms from the kill to the Flow's readiness")
    }

    /// Checks the target has exactly one outage whose start matches the kill and whose end matches the restart
    /// within two intervals, and that the time accounting agrees with it. The restart is a span: from starting the
    /// replacement executor to its READY line (it serves a little before printing READY).
    private func checkOneOutage(_ target: [String: Any], killMs: Int64, restart: ClosedRange<Int64>) throws
        -> [String: Any]
    {
        let name = target["name"] as? String ?? "?"
        let outages = try #require(target["outages"] as? [[String: Any]])
        try #require(outages.count == 1, "outages: \(outages)")
        let outage = outages[0]
        let started = try #require(epochMs(outage["started_at"]))
        let ended = try #require(epochMs(outage["ended_at"]))
        let confirmed = try #require(epochMs(outage["confirmed_at"]))
        #expect(abs(started - killMs) <= 2 * Self.intervalMs, "\(name): started \(started - killMs) ms after the kill")
        #expect(
            ended >= restart.lowerBound - 2 * Self.intervalMs && ended <= restart.upperBound + 2 * Self.intervalMs,
            "\(name): ended \(ended - restart.lowerBound) ms after starting the replacement, \(ended - restart.upperBound) ms after its READY")
        #expect(confirmed >= started && confirmed < ended)
        let duration = try #require(outage["duration_s"] as? Double)
        #expect(abs(duration - Double(ended - started) / 1_000) < 0.002)
        // With threshold 1 and no gap, down time is exactly the outage, and every down round is in it.
        let downSeconds = try #require(target["down_s"] as? Double)
        #expect(abs(downSeconds - duration) < 0.002, "down_s \(downSeconds) vs outage \(duration)")
        let rounds = try #require(target["rounds"] as? [String: Int])
        #expect(rounds["down"] == outage["failed_rounds"] as? Int)
        checkAccounting(target)
        return outage
    }

    /// Every second of the window is in exactly one bucket, and the ratios are made of those seconds.
    private func checkAccounting(_ target: [String: Any]) {
        let up = target["up_s"] as? Double ?? -1
        let down = target["down_s"] as? Double ?? -1
        let unknown = target["unknown_s"] as? Double ?? -1
        #expect(abs(up + down + unknown - 3_600) < 0.01, "buckets must add up to the 1h window")
        #expect(abs((target["availability"] as? Double ?? -1) - up / (up + down)) < 1e-9)
        #expect(abs((target["coverage"] as? Double ?? -1) - (up + down) / 3_600) < 1e-9)
    }

    private func onlyTarget(_ database: String) async throws -> [String: Any] {
        let report = try await jsonReport(database)
        let targets = try #require(report["targets"] as? [[String: Any]])
        try #require(targets.count == 1)
        return targets[0]
    }
}

private func upCount(_ recorder: ChildProcess) -> Int { recorder.lines.count { $0.contains("  up  ") } }
private func downCount(_ recorder: ChildProcess) -> Int { recorder.lines.count { $0.contains("  down  ") } }
private func upAfterDown(_ recorder: ChildProcess) -> Int {
    let lines = recorder.lines
    guard let firstDown = lines.firstIndex(where: { $0.contains("  down  ") }) else { return 0 }
    return lines[firstDown...].count { $0.contains("  up  ") }
}

/// Samples of one Prometheus scrape, parsed by the official client's parser (scripts/fixture/parse_metrics.py).
private struct Scrape {
    let samples: [[String: Any]]

    /// Family names (for counters, without the `_total` the parser strips).
    var families: Set<String> { Set(samples.compactMap { $0["family"] as? String }) }

    /// The value of the sample `name` whose labels include `labels`.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in
            sample["name"] as? String == name
                && labels.allSatisfy { (sample["labels"] as? [String: String])?[$0.key] == $0.value }
        }?["value"] as? Double
    }
}

private func scrape(_ url: String) async throws -> Scrape {
    let result = try await runJinaHistory(
        [TestPaths.repository.appending(path: "scripts/fixture/parse_metrics.py").path, url], binary: TestPaths.python)
    guard result.status == 0, let samples = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
    else { throw ConditionTimedOut(description: "scrape of \(url) failed: \(result.stderr)") }
    return Scrape(samples: samples)
}


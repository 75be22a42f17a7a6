import Foundation
import JinaHistoryTestSupport
import Testing

/// Two recorders, vantages `a` and `b`, record one real Jina Flow into one real PostgreSQL; `b` reaches the gateway
/// through a TCP forwarder (scripts/fixture/tcp_forwarder.py) that the test kills to cut `b`'s path alone, then the executor is
/// killed for everyone (docs/semantics.md §9).
@Suite("vantages, end to end", .serialized, .enabled(if: TestPostgresServer.isRunning))
struct VantageEndToEndTests {
    @Test("b's path cut is a partial outage from b alone, no combined down time; a killed executor is one outage seen by both")
    func partialAndCombinedOutages() async throws {
        let database = try await TestPostgresServer.freshDatabase()
        let gatewayPort = try freePort()
        let executorPort = try freePort()
        let forwarderPort = try freePort()
        let flow = try await JinaFixture.start([
            "--kind", "flow", "--protocol", "grpc", "--port", "\(gatewayPort)", "--executor-port", "\(executorPort)",
        ])
        var forwarder = try await TCPForwarder.start(from: forwarderPort, to: gatewayPort)
        var replacement: JinaFixture?
        var recorders: [String: ChildProcess] = [:]
        do {
            for (vantage, port) in [("a", gatewayPort), ("b", forwarderPort)] {
                recorders[vantage] = try ChildProcess(TestPaths.binary, [
                    "record", "grpc://127.0.0.1:\(port)", "--name", "flow", "--vantage", vantage, "--db", database,
                    "--interval", "200ms", "--timeout", "1s", "--print-rounds", "always",
                ])
            }
            let a = recorders["a"]!
            let b = recorders["b"]!
            try await waitUntil("3 up rounds from each vantage", timeout: .seconds(30)) {
                count("up", a) >= 3 && count("up", b) >= 3
            }
            // b's path alone is cut, then mended.
            let cutMs = wallNowMs()
            await forwarder.stop()
            let bDownBefore = count("down", b)
            try await waitUntil("5 down rounds from b", timeout: .seconds(30)) { count("down", b) >= bDownBefore + 5 }
            let aDownDuringCut = count("down", a)
            forwarder = try await TCPForwarder.start(from: forwarderPort, to: gatewayPort)
            let mendedMs = wallNowMs()
            let bUpBefore = count("up", b)
            try await waitUntil("3 up rounds from b again", timeout: .seconds(30)) { count("up", b) >= bUpBefore + 3 }
            #expect(aDownDuringCut == 0, "a saw the Flow down while only b's path was cut")

            // The Flow itself goes down for everyone.
            let killMs = wallNowMs()
            kill(flow.executorPID, SIGKILL)
            let (aDown, bDown) = (count("down", a), count("down", b))
            try await waitUntil("3 down rounds from each vantage", timeout: .seconds(30)) {
                count("down", a) >= aDown + 3 && count("down", b) >= bDown + 3
            }
            replacement = try await JinaFixture.start(["--kind", "executor", "--port", "\(executorPort)"])
            let (aUp, bUp) = (count("up", a), count("up", b))
            try await waitUntil("3 up rounds from each vantage after the restart", timeout: .seconds(60)) {
                count("up", a) >= aUp + 3 && count("up", b) >= bUp + 3
            }
            for recorder in [a, b] {
                recorder.send(SIGINT)
                try await recorder.waitForExit(timeout: .seconds(10))
                #expect(recorder.exitStatus == 0, "\(recorder.standardError)")
            }

            let report = try await jsonReport(database, since: "10m")
            let target = try #require((report["targets"] as? [[String: Any]])?.first)
            let accounts = try #require(target["vantages"] as? [[String: Any]], "\(target)")
            #expect(accounts.compactMap { $0["vantage"] as? String } == ["a", "b"])
            #expect(accounts.map { ($0["outages"] as? [Any])?.count } == [1, 2], "\(accounts)")
            // Each vantage names the address it probed the Flow through.
            let urls = accounts.compactMap { $0["url"] as? String }
            #expect(urls.count == 2 && urls[0].hasSuffix(":\(gatewayPort)") && urls[1].hasSuffix(":\(forwarderPort)"),
                    "\(urls)")

            // The cut: a partial outage from b alone, while a saw the Flow up.
            let partials = try #require(target["partial_outages"] as? [[String: Any]])
            let cut = try #require(partials.first { ($0["failing"] as? [String]) == ["b"] }, "\(partials)")
            #expect(cut["reachable"] as? [String] == ["a"])
            let cutStart = try #require(epochMs(cut["started_at"]))
            #expect(cutStart >= cutMs - 300 && cutStart <= cutMs + 1_500, "cut at \(cutMs), partial from \(cutStart)")
            let cutEnd = try #require(epochMs(cut["ended_at"]))
            #expect(cutEnd >= mendedMs - 300 && cutEnd <= mendedMs + 3_000, "mended at \(mendedMs), partial to \(cutEnd)")
            #expect((target["partial_s"] as? Double ?? 0) >= Double(cutEnd - cutStart) / 1_000 - 0.001)

            // The kill: one combined outage, seen from both, and no combined down time before it.
            let outages = try #require(target["outages"] as? [[String: Any]])
            try #require(outages.count == 1, "\(outages)")
            #expect(outages[0]["vantages"] as? [String] == ["a", "b"])
            let started = try #require(epochMs(outages[0]["started_at"]))
            #expect(started >= killMs - 300 && started <= killMs + 3_000, "killed at \(killMs), outage from \(started)")
            #expect(outages[0]["ongoing"] as? Bool == false)
            let availability = try #require(target["availability"] as? Double)
            let everywhere = try #require(target["availability_everywhere"] as? Double)
            #expect(everywhere < availability, "partial time counts as down only from everywhere")

            // One vantage's own view is a report as before vantages: b's cut is an outage there.
            let onlyB = try await runJinaHistory(["report", "--db", database, "--since", "10m", "--format", "json",
                                                  "--vantage", "b"])
            try await validateAgainstSchema(onlyB.stdout)
            let bTarget = try #require(
                ((try JSONSerialization.jsonObject(with: Data(onlyB.stdout.utf8)) as? [String: Any])?["targets"]
                    as? [[String: Any]])?.first, "\(onlyB.stderr)")
            #expect(bTarget["vantages"] == nil)
            #expect((bTarget["url"] as? String)?.hasSuffix(":\(forwarderPort)") == true, "\(bTarget)")
            #expect((bTarget["outages"] as? [Any])?.count == 2)
            let unknown = try await runJinaHistory(["report", "--db", database, "--vantage", "nowhere"])
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains("--vantage 'nowhere'") && unknown.stderr.contains("known: a, b"),
                    "\(unknown.stderr)")
            let rows = try await runJinaHistory(["export", "--db", database, "--since", "10m", "--what", "rounds",
                                                 "--format", "ndjson", "--vantage", "a"])
            try await validateAgainstSchema(rows.stdout, schema: "export.schema.json", ndjson: true)
            #expect(!rows.stdout.isEmpty && !rows.stdout.contains("\"vantage\":\"b\""))
        } catch {
            for recorder in recorders.values { await recorder.stop() }
            await forwarder.stop()
            await replacement?.stop()
            await flow.stop()
            throw error
        }
        await forwarder.stop()
        await replacement?.stop()
        await flow.stop()
    }
}

/// Rounds of `verdict` a recorder printed.
private func count(_ verdict: String, _ recorder: ChildProcess) -> Int {
    recorder.lines.count { $0.contains("  \(verdict)  ") }
}

/// scripts/fixture/tcp_forwarder.py in a process of its own: killing it refuses new connections and drops the open
/// ones, as a cut network path does.
private struct TCPForwarder {
    let process: ChildProcess

    static func start(from port: Int, to upstream: Int) async throws -> TCPForwarder {
        let script = TestPaths.repository.appending(path: "scripts/fixture/tcp_forwarder.py").path
        let process = try ChildProcess("/usr/bin/python3", [script, "\(port)", "\(upstream)"])
        try await waitUntil("the forwarder to listen", timeout: .seconds(10)) { process.lines.contains("ready") }
        return TCPForwarder(process: process)
    }

    func stop() async {
        process.send(SIGKILL)
        try? await process.waitForExit(timeout: .seconds(5))
    }
}

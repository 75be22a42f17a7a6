import Foundation
import GRDB
import JinaHistoryTestSupport
import JinaHistoryFakes
import Testing

/// `serve` beside a recorder of a real Jina Flow: pages a browser renders at desktop and phone sizes show the
/// outage, and a few thousand requests from another process neither fail nor make the recorder late.
@Suite("serve, end to end", .serialized)
struct ServeEndToEndTests {
    @Test("a real outage on the status page and the target page, at 1280×800 and 390×844; load: no failed request, the recorder keeps its schedule")
    func pagesAndLoad() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "h.sqlite").path
        let gatewayPort = try freePort()
        let executorPort = try freePort()
        let flow = try await JinaFixture.start([
            "--kind", "flow", "--protocol", "grpc", "--port", "\(gatewayPort)", "--executor-port", "\(executorPort)",
        ])
        var replacement: JinaFixture?
        var processes: [ChildProcess] = []
        do {
            let recorder = try ChildProcess(TestPaths.binary, [
                "record", "127.0.0.1:\(gatewayPort)", "--name", "search", "--db", database, "--interval", "100ms",
                "--timeout", "1s", "--print-rounds", "always",
            ])
            processes.append(recorder)
            try await waitUntil("up rounds", timeout: .seconds(30)) { recorder.lines.count { $0.contains("  up  ") } >= 5 }
            kill(flow.executorPID, SIGKILL)
            try await waitUntil("down rounds", timeout: .seconds(30)) { recorder.lines.count { $0.contains("  down  ") } >= 5 }
            replacement = try await JinaFixture.start(["--kind", "executor", "--port", "\(executorPort)"])
            try await waitUntil("recovery", timeout: .seconds(60)) { recorder.lines.contains { $0.contains("[down -> up]") } }

            let server = try ChildProcess(TestPaths.binary, ["serve", "--db", database, "--listen", "127.0.0.1:0"])
            processes.append(server)
            try await waitUntil("serve to listen", timeout: .seconds(20)) { server.lines.contains { $0.contains("read-only at http://") } }
            let line = server.lines.first { $0.contains("read-only at http://") } ?? ""
            let base = "http://" + line[line.range(of: "http://")!.upperBound...].prefix { $0 != "/" }

            // The pages as a browser renders them (saved first: the browser runs without a network).
            let status = try await fetch(base + "/")
            let target = try await fetch(base + "/targets/search?since=1h&outage=1")
            #expect(status.status == 200 && target.status == 200)
            for (name, page) in [("status", status.body), ("target", target.body)] {
                let file = directory.appending(path: "\(name).html")
                try Data(page.utf8).write(to: file)
                for size in ["1280,800", "390,844"] {
                    let rendered = try await HeadlessBrowser.render(file, windowSize: size)
                    #expect(rendered.colours >= 4 && rendered.inked > rendered.width * 10,
                            "\(name) at \(size) is blank: \(rendered.colours) colours, \(rendered.inked) inked pixels")
                    if name == "status" {
                        #expect(rendered.dom.contains("search") && rendered.dom.contains(": down</title>"),
                                "the history bar shows the outage")
                    } else {
                        #expect(rendered.dom.contains("InternalNetworkError") && rendered.dom.contains("flow_not_ready"))
                        #expect(rendered.dom.contains("Outage 1: postmortem timeline") && rendered.dom.contains("up -&gt; down"))
                    }
                }
            }

            // Load from another process while the recorder records at 100 ms.
            let loadStartMs = wallNowMs()
            let load = try await runJinaHistory([
                TestPaths.repository.appending(path: "scripts/fixture/load_pages.py").path, base, "3000", "4",
                "/", "/targets/search?since=1h", "/api/v1/report?since=1h", "/api/v1/timeline?since=10m",
                "/badge/search.svg",
            ], binary: TestPaths.python, timeout: .seconds(300))
            let figures = try #require(try JSONSerialization.jsonObject(with: Data(load.stdout.utf8)) as? [String: Any],
                                       "\(load.stderr)")
            #expect(figures["requests"] as? Int == 3000 && figures["failed"] as? Int == 0, "\(figures)")
            let loadEndMs = wallNowMs()
            print("serve under load beside a 100 ms recorder: \(load.stdout)")
            recorder.send(SIGINT)
            try await recorder.waitForExit(timeout: .seconds(10))
            // The slots of the load. The recorder's own schedule must hold: every round started on time. A slot is
            // skipped only when the round before it took longer than the interval, which is the Flow answering
            // late (two CPU-bound processes on a small machine slow the Python gateway), counted as its latency.
            let slots = try DatabaseQueue(path: database).read { db in
                try Row.fetchAll(db, sql: """
                    SELECT scheduled_ms, verdict, start_lag_ms, duration_us FROM round
                    WHERE scheduled_ms BETWEEN ? AND ? ORDER BY scheduled_ms
                    """, arguments: [loadStartMs, loadEndMs])
            }
            let rounds = slots.count
            let lags = slots.map { $0["start_lag_ms"] as Int64 }
            #expect((lags.max() ?? 0) < 50, "the recorder started a round late under load: \(lags.sorted().suffix(3)) ms")
            for (index, slot) in slots.enumerated() where (slot["verdict"] as Int) == 2 {
                let before = index > 0 ? slots[index - 1] : nil
                #expect(before.map { ($0["verdict"] as Int) == 2 || ($0["duration_us"] as Int64) > 100_000 } ?? true,
                        "slot \(slot["scheduled_ms"] as Int64) skipped after a round of \(before?["duration_us"] as Int64? ?? 0) µs")
            }
            let skipped = slots.count { ($0["verdict"] as Int) == 2 }
            print("load: \(rounds) slots, \(skipped) skipped after a late answer of the Flow, start lag max \(lags.max() ?? 0) ms")
            #expect(rounds >= Int(loadEndMs - loadStartMs) / 100 - 2, "the recorder went on during the load: \(rounds) rounds")
        } catch {
            Issue.record(error, "processes: \(processes.map { $0.standardError.suffix(500) })")
        }
        for process in processes { await process.stop() }
        await replacement?.stop()
        await flow.stop()
    }
}

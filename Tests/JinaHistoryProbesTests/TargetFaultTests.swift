import Foundation
import JinaHistoryCore
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistorySQLite
import JinaHistoryTestSupport
import JinaHistoryFakes
import GRDB
import GRPCCore
import JinaProtos
import Synchronization
import Testing

/// Every kind of bad target at once in one recorder, beside healthy ones: the healthy targets keep their
/// schedule, and each bad one is recorded with its own error class.
@Suite("target faults at once", .serialized)
struct TargetFaultTests {
    /// A host name that cannot resolve and is rejected by the resolver itself (a DNS label is at most 63
    /// characters), so the test never sends a DNS query off this machine.
    static let unresolvableHost = String(repeating: "a", count: 64) + ".invalid"

    @Test("hung, slow, flapping, refusing, garbage, TLS-failing and unresolvable targets never stall healthy ones")
    func allFaultsAtOnce() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appending(path: "history.sqlite").path
        let certificates = try TestCertificates.shared.get()
        let hung = try SilentTCPServer()
        let hungPort = hung.port
        let closedPort = try freePort()
        let rounds = 10
        let flips = Mutex(0)
        try await withFakeGateway(dryRun: { Jina_StatusProto() }) { healthy in
            try await withFakeWireServer(.http(status: 200, body: #"{"code": 0}"#)) { healthyHTTP in
                try await withFakeGateway(dryRun: {
                    try await Task.sleep(for: .milliseconds(500))
                    return Jina_StatusProto()
                }) { slow in
                    try await withFakeGateway(dryRun: {
                        var status = Jina_StatusProto()
                        if flips.withLock({ $0 += 1; return $0 % 2 == 0 }) { status.code = .error }
                        return status
                    }) { flapping in
                        try await withFakeWireServer(.garbage) { garbage in
                            try await withFakeGateway(
                                dryRun: { Jina_StatusProto() },
                                tls: (certificates.path("untrusted.pem"), certificates.path("untrusted.key"))
                            ) { untrusted in
                                let config = directory.appending(path: "targets.yaml").path
                                try Data("""
                                    defaults:
                                      interval: 200ms
                                      timeout: 1s
                                    targets:
                                      - {name: healthy-1, url: "grpc://127.0.0.1:\(healthy)"}
                                      - {name: healthy-2, url: "grpc://127.0.0.1:\(healthy)"}
                                      - {name: healthy-3, url: "grpc://127.0.0.1:\(healthy)"}
                                      - {name: healthy-http, url: "http://127.0.0.1:\(healthyHTTP)"}
                                      - {name: hung-grpc, url: "grpc://127.0.0.1:\(hungPort)"}
                                      - {name: hung-http, url: "http://127.0.0.1:\(hungPort)"}
                                      - {name: hung-ws, url: "ws://127.0.0.1:\(hungPort)"}
                                      - {name: slow, url: "grpc://127.0.0.1:\(slow)"}
                                      - {name: flapping, url: "grpc://127.0.0.1:\(flapping)"}
                                      - {name: refusing, url: "grpc://127.0.0.1:\(closedPort)"}
                                      - {name: refusing-ws, url: "ws://127.0.0.1:\(closedPort)"}
                                      - {name: garbage, url: "grpc://127.0.0.1:\(garbage)"}
                                      - {name: tls-failing, url: "grpcs://localhost:\(untrusted)"}
                                      - {name: unresolvable, url: "grpc://\(Self.unresolvableHost):50051"}
                                      - {name: unresolvable-http, url: "http://\(Self.unresolvableHost):8080"}
                                    """.utf8).write(to: URL(fileURLWithPath: config))
                                let result = try await runJinaHistory(
                                    ["record", "--config", config, "--db", database, "--rounds", "\(rounds)"])
                                #expect(result.status == 0, "\(result.stderr)")
                            }
                        }
                    }
                }
            }
        }
        withExtendedLifetime(hung) {}

        let byTarget = try DatabaseQueue(path: database).read { db in
            try Row.fetchAll(db, sql: """
                SELECT t.name, count(*) AS rounds, sum(r.verdict = 1) AS up, sum(r.verdict = 0) AS down,
                       sum(r.verdict = 2) AS skipped, max(r.start_lag_ms) AS worst_lag,
                       (SELECT group_concat(DISTINCT e.class) FROM attempt a JOIN error e ON e.id = a.error_id
                         WHERE a.target_id = t.id AND a.role = 0) AS classes
                FROM round r JOIN target t ON t.id = r.target_id GROUP BY t.id
                """)
        }.reduce(into: [String: Row]()) { $0[$1["name"]] = $1 }
        #expect(byTarget.count == 15)
        for name in ["healthy-1", "healthy-2", "healthy-3", "healthy-http"] {
            let row = try #require(byTarget[name])
            #expect((row["up"] as Int) == rounds && (row["skipped"] as Int) == 0, "\(row)")
            #expect((row["worst_lag"] as Int64) < 100, "a healthy target started late: \(row)")
        }
        for (name, errorClass) in [
            ("hung-grpc", "timeout"), ("hung-http", "timeout"), ("hung-ws", "timeout"), ("refusing", "refused"),
            ("refusing-ws", "refused"), ("garbage", "protocol"), ("tls-failing", "tls"), ("unresolvable", "dns"),
            ("unresolvable-http", "dns"),
        ] {
            let row = try #require(byTarget[name])
            #expect((row["up"] as Int) == 0 && (row["rounds"] as Int) == rounds, "\(row)")
            #expect((row["classes"] as String?) == errorClass, "\(name): \(row)")
        }
        let slow = try #require(byTarget["slow"])
        #expect((slow["up"] as Int) > 0 && (slow["skipped"] as Int) > 0, "500 ms rounds on a 200 ms grid: \(slow)")
        let flapping = try #require(byTarget["flapping"])
        #expect((flapping["up"] as Int) > 0 && (flapping["down"] as Int) > 0, "\(flapping)")
    }
}

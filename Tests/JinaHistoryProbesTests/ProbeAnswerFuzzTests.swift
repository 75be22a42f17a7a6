import Foundation
import JinaHistoryCore
@testable import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistoryTestSupport
import NIOCore
import Testing
import WSClient

/// Seeded fuzzing of what gateways send back: HTTP dry-run bodies and WebSocket frames (FuzzTests has the rest).
@Suite("fuzzing gateway answers")
struct ProbeAnswerFuzzTests {
    @Test("HTTP dry-run bodies and WebSocket frames: a verdict with bounded, stored-safe text, never a crash")
    func gatewayAnswers() {
        let fragments = [#"{"code": 0}"#, #"{"code": 1, "description": "x"}"#, #"{"code": "SUCCESS"}"#,
                         #"{"code": "ERROR", "exception": {"name": 5}}"#, #"{"code": null}"#, "[]", "{", "\"", "null",
                         #"{"code": 1e400}"#, #"{"code": 9223372036854775808}"#, #"{"description": ["a"]}"#]
        fuzz("answers") { random in
            var body = pick(fragments, &random)
            if random.next() % 2 == 0 { body += randomText(&random) }
            if random.next() % 3 == 0 { body = String(repeating: body, count: 1 + Int(random.next() % 400)) }
            let status = Int(random.next() % 600)
            for outcome in [
                HTTPReadinessChecker.judge(status: status, body: Data(body.utf8), dryRun: random.next() % 2 == 0),
                WebSocketReadinessChecker.judge(frame: .text(body), closeCode: nil, reason: ""),
                WebSocketReadinessChecker.judge(
                    frame: .binary(ByteBuffer(bytes: Array(body.utf8))), closeCode: Int(random.next() % 5_000),
                    reason: randomText(&random, maxLength: 3_000)),
            ] {
                if let failure = outcome.failure {
                    #expect(failure.message.count <= FailureDetail.maximumMessageLength && failure.exception.count <= 200)
                }
            }
        }
    }
}

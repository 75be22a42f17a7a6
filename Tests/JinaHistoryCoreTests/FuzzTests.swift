import Foundation
@testable import JinaHistoryConfig
@testable import JinaHistoryCore
@testable import JinaHistoryRender
import JinaHistoryRecorder
import JinaHistoryTestSupport
import Testing

/// Seeded fuzzing of everything that parses outside input: the window and duration grammar, config files, and
/// stored server text on its way to every output (the bodies and frames gateways send: ProbeAnswerFuzzTests). Each
/// target runs for a bounded time (`JINA_HISTORY_FUZZ_SECONDS`, default 1 s; the benchmark suite runs longer) and fails on a crash,
/// on an error that is not one clear line, or on one input taking longer than a second.
@Suite("fuzzing")
struct FuzzTests {
    /// Pieces of the grammars, so mutations stay near valid input where the bugs live.
    private static let windowPieces = [
        "now", "today", "yesterday", "2026-11-24", "T", "10:00", ":00", ".123", "Z", "+01:00", "-23:59", "..",
        "1", "0", "-", "+", "90", "s", "ms", "m", "h", "d", "w", "9999999999999", "1764000000", "2026-02-30",
        "24:00", " ", "", "\u{0}", "é", "\u{1B}[31m", "99999999999999999999", "1e9", "NaN", "2026-13-01T25:61",
    ]

    private func expectOneClearLine(_ error: any Error, _ input: String) {
        let line: String
        switch error {
        case let error as JinaHistoryError: line = error.description
        case let error as ConfigurationFileError: line = error.message(flag: "--config")
        default:
            Issue.record("\(input.debugDescription) threw \(error), not one of jina-history's errors")
            return
        }
        #expect(!line.isEmpty && !line.contains("\n"), "\(input.debugDescription): \(line)")
    }

    @Test("window and duration grammar: an answer or one clear line, never a crash or a hang")
    func windowGrammar() {
        fuzz("windows") { random in
            let input = (0..<Int(random.next() % 6)).map { _ in pick(Self.windowPieces, &random) }.joined()
                + (random.next() % 5 == 0 ? randomText(&random, maxLength: 8) : "")
            do {
                _ = try TimeText.epochMilliseconds(input, for: .since, nowMs: 1_764_000_000_000,
                                                   zone: random.next() % 2 == 0 ? .gmt : try TimeText.zone(named: "Europe/Berlin"))
            } catch {
                expectOneClearLine(error, input)
            }
            do {
                let ms = try DurationText.milliseconds(input, for: .interval)
                #expect(ms >= 0, "\(input.debugDescription) is a negative duration")
            } catch {
                expectOneClearLine(error, input)
            }
        }
    }

    @Test("config files: targets or one clear line naming the file, never a crash")
    func configFiles() throws {
        let example = try String(
            contentsOf: TestPaths.repository.appending(path: "examples/targets.yaml"), encoding: .utf8)
        let lines = example.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let inserts = ["  - ", "targets:", "defaults:", "- url: 127.0.0.1:1", "    interval: ", "&a", "*a", "<<: *a",
                       "{", "}", "[", "]", ": :", "\t", "!!binary", "~", "null", "'", "\"", "interval: -1s",
                       "retries: 99999999999999999999", "labels: {a: [1]}", "ca-cert: /dev/null"]
        fuzz("config") { random in
            var mutated = lines
            for _ in 0..<(1 + random.next() % 4) {
                let at = Int(random.next() % UInt64(mutated.count + 1))
                switch random.next() % 4 {
                case 0 where !mutated.isEmpty: mutated.remove(at: min(at, mutated.count - 1))
                case 1: mutated.insert(pick(inserts, &random), at: at)
                case 2 where !mutated.isEmpty:
                    let line = min(at, mutated.count - 1)
                    mutated[line] += pick(inserts, &random)
                default: mutated.insert(randomText(&random, maxLength: 20), at: at)
                }
            }
            let text = mutated.joined(separator: "\n")
            do {
                _ = try TargetConfigurationFile.parse(text, file: "fuzz.yaml", directory: "/nonexistent")
            } catch {
                expectOneClearLine(error, text)
                #expect((error as? ConfigurationFileError)?.message(flag: "--config").contains("fuzz.yaml") == true,
                        "\(error)")
            }
        }
    }

    @Test("stored server text: one escaped line in text, markdown and CSV; exact in JSON")
    func storedMessages() throws {
        let hostile = ["<script>alert(1)</script>", "a|b", "\u{1B}[2J\u{1B}[31mred", "line\nbreak\r\n", "\u{202E}evil",
                       "&amp;", "\"quoted\", comma", "\u{0}nul", "`code`", "[link](javascript:x)", "<img src=x>"]
        fuzz("messages") { random in
            let message = (0..<(1 + random.next() % 4)).map { _ in
                random.next() % 2 == 0 ? pick(hostile, &random) : randomText(&random)
            }.joined()
            let line = message.oneLine(limit: 120)
            #expect(!line.unicodeScalars.contains { CharacterSet.controlCharacters.contains($0) }, "\(message.debugDescription)")
            #expect(line.count <= 123)
            let cell = MarkdownReportRenderer.cell(message)
            #expect(!cell.contains("<") && !cell.contains(">") && !cell.contains("\n"), "\(cell.debugDescription)")
            #expect(!cell.replacingOccurrences(of: "\\|", with: "").contains("|"), "\(cell.debugDescription)")
            let csv = ExportFormat.csv.line(["message"], [.text(message)])
            #expect(!csv.contains("\n") && !csv.contains("\u{1B}"), "\(csv.debugDescription)")
            let json = ExportFormat.ndjson.line(["message"], [.text(message)])
            let decoded = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
            #expect(decoded?["message"] == message, "\(json.debugDescription)")
        }
    }
}

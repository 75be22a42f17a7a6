import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite

/// Standard output and error without traps: `FileHandle.write(_:)` crashes the process when a write fails (a
/// file past its size limit, a full disk), and a recorder must never die for a log line.
enum Console {
    /// Writes a result to stdout; a failed write is an error the command reports (exit 3).
    static func output(_ text: String) throws { try output(Data(text.utf8)) }

    /// Writes bytes to stdout; a failed write is an error the command reports (exit 3).
    static func output(_ data: some DataProtocol) throws {
        do {
            try FileHandle.standardOutput.write(contentsOf: data)
        } catch {
            throw OutputError(message: "cannot write the output: \(error.localizedDescription); check where stdout goes")
        }
    }

    /// Writes a message line to stderr (or, for round lines, to `handle`), best effort.
    static func message(_ text: String, to handle: FileHandle = .standardError) {
        try? handle.write(contentsOf: Data(text.utf8))
    }
}

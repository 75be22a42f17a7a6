import Foundation
import JinaHistoryCore

/// Text going into HTML, SVG or XML: server and user text must never become markup there.
extension String {
    /// One line (control characters as spaces, cut at `limit`) with `&`, `<`, `>`, `"` and `'` escaped.
    func markupEscaped(limit: Int) -> String {
        oneLine(limit: limit)
            .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }
}

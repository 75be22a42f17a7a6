import Foundation
public import JinaHistoryCore

/// One target's page of `serve` (docs/serve.md): a form for the window (the CLI's grammar), the HTML report of that
/// window with each outage linked to its postmortem timeline, and that timeline when one is chosen. No script.
public enum TargetPageRenderer {
    /// The page.
    public static func render(_ page: TargetPage) -> String {
        let name = page.report.targets.first?.name ?? ""
        let query = "since=\(encoded(page.since))&until=\(encoded(page.until))&tz=\(encoded(page.zone))"
        let top = """
            <nav><a href="/">← all targets</a></nav>
            <form method="get" action="">
            <label>since <input name="since" value="\(escaped(page.since))" size="22"></label>
            <label>until <input name="until" value="\(escaped(page.until))" size="22"></label>
            <label>zone <input name="tz" value="\(escaped(page.zone))" size="12"></label>
            <button>show</button>
            <span class="muted">90s, 24h, 7d, today, 2026-11-24, 2026-11-24T10:00, or RFC 3339</span>
            </form>

            """
        var bottom = ""
        if let (number, incident) = page.incident {
            let lines = TimelineTextRenderer.render(incident.timeline, window: incident.window)
            bottom = "<section id=\"incident\"><h2>Outage \(number): postmortem timeline</h2>\n<pre>"
                + lines.split(separator: "\n").dropFirst().map { String($0).markupEscaped(limit: 4_000) }
                    .joined(separator: "\n") + "</pre></section>\n"
        }
        var around = HTMLReportRenderer.Surroundings()
        around.title = name
        around.top = top
        around.bottom = bottom
        around.outageLink = { "?\(query)&outage=\($0)#incident" }
        return HTMLReportRenderer.render(page.report, around: around)
    }

    private static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~:"))) ?? ""
    }

    private static func escaped(_ text: String) -> String { text.markupEscaped(limit: 200) }
}

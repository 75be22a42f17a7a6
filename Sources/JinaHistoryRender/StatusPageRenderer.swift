import Foundation
public import JinaHistoryCore

/// The status page of `serve` (docs/serve.md): one card per target, worst first, with its state and since when,
/// availability over 24 h, 7 d and 30 d, the month as a 90-bucket history bar (each bucket's time and state on
/// hover, in SVG `<title>`s) and its last latency. No script: it refreshes itself with a meta refresh, and reads on
/// a phone (the cards stack).
public enum StatusPageRenderer {
    /// Seconds between the page's own refreshes.
    public static let refreshSeconds = 30

    /// The page.
    public static func render(_ board: StatusBoard) -> String {
        let time = { (ms: Int64) in TimeText.rfc3339(ms) }
        let down = board.rows.filter { $0.state == .down }.count
        let unknown = board.rows.filter { $0.state == .unknown }.count
        let total = board.rows.count
        let headline = total == 0 ? "No targets recorded yet"
            : down > 0 ? "\(down) of \(total) target\(total == 1 ? "" : "s") down"
            : unknown > 0 ? "\(unknown) of \(total) target\(total == 1 ? "" : "s") not being recorded"
            : "All \(total) target\(total == 1 ? "" : "s") up"
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="\(refreshSeconds)">
            <title>\(escaped(headline)) · jina-history</title>
            <style>\(style)</style></head><body>
            <header><h1>\(escaped(headline))</h1>
            <p class="muted">As of \(escaped(time(board.generatedAtMs))) (UTC); this page refreshes every \
            \(refreshSeconds) s. <a href="/api/v1/openapi.json">API</a></p></header>
            <main>

            """
        for row in board.rows { html += card(row, nowMs: board.generatedAtMs) }
        return html + "</main></body></html>\n"
    }

    private static func card(_ row: StatusBoard.Row, nowMs: Int64) -> String {
        let link = "/targets/" + (row.name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? "")
        let since = row.sinceMs.map { "since \(TimeText.rfc3339($0)) (\(DurationText.text(max(0, nowMs - $0))))" }
            ?? "never recorded"
        let latency = row.lastLatencyUs.map { String(format: "%.1f ms", Double($0) / 1_000) } ?? "–"
        let periods = [("24 h", row.day), ("7 d", row.week), ("30 d", row.month)].map { label, report in
            "<div><span class=muted>\(label)</span> \(escaped(ReportNumberText.availability(report) ?? "no data"))</div>"
        }.joined()
        return """
            <section class="card \(row.state.rawValue)" id="\(escaped(row.name))">
            <h2><span class="dot"></span><a href="\(escaped(link))">\(escaped(row.name))</a> \
            <span class="state">\(row.state.rawValue)</span></h2>
            <p class="muted">\(escaped(row.kind.rawValue)) at \(escaped(row.url)), \(escaped(since)); last latency \
            \(escaped(latency))</p>
            <div class="periods">\(periods)</div>
            \(bar(row.month))
            </section>

            """
    }

    /// The month's buckets, oldest left, each with its time span and state on hover.
    private static func bar(_ month: TargetReport) -> String {
        let count = max(1, month.strip.count)
        var svg = "<svg class=bar viewBox=\"0 0 \(count * 4) 24\" preserveAspectRatio=\"none\" role=\"img\" "
            + "aria-label=\"availability over 30 days, \(count) buckets\">"
        for (index, state) in month.strip.enumerated() {
            svg += "<rect x=\(index * 4) y=0 width=3 height=24 fill=\"\(HTMLReportRenderer.colours[state] ?? "#d0d7de")\">"
                + "<title>bucket \(index + 1) of \(count): \(state.rawValue)</title></rect>"
        }
        return svg + "</svg><p class=\"axis muted\"><span>30 days ago</span><span>now</span></p>"
    }

    private static let style = """
        body{font:15px/1.4 system-ui,sans-serif;margin:0 auto;max-width:960px;color:#222;padding:0 .75em}\
        h1{font-size:1.4em}h2{font-size:1.1em;margin:.2em 0}.muted{color:#666}\
        .card{border:1px solid #d0d7de;border-left:6px solid #d0d7de;border-radius:6px;padding:.6em .8em;margin:.8em 0}\
        .card.down{border-left-color:#cf222e}.card.up{border-left-color:#2da44e}\
        .dot{display:inline-block;width:.7em;height:.7em;border-radius:50%;background:#d0d7de;margin-right:.4em}\
        .down .dot{background:#cf222e}.up .dot{background:#2da44e}.state{font-weight:normal;color:#666}\
        .periods{display:flex;flex-wrap:wrap;gap:1.2em;margin:.3em 0}.bar{display:block;width:100%;height:24px}\
        .axis{display:flex;justify-content:space-between;font-size:.8em;margin:.1em 0 0}\
        a{color:#0969da}p{margin:.3em 0}
        """

    private static func escaped(_ text: String) -> String { text.markupEscaped(limit: 2_000) }
}

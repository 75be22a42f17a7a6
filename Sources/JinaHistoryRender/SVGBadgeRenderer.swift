import Foundation
public import JinaHistoryCore

/// Renders one target's availability as a small shields-style SVG badge (`report --format svg-badge`), for
/// READMEs and status pages: grey label, value coloured by how good it is, "no data" in grey when there is none.
public enum SVGBadgeRenderer {
    /// The badge of `target`, labelled `label`.
    public static func render(_ target: TargetReport, label: String = "availability") -> String {
        let value = ReportNumberText.availability(target).map(shortPercent) ?? "no data"
        let colour = target.availability.map(colour(for:)) ?? "#9f9f9f"
        let labelWidth = width(of: label)
        let valueWidth = width(of: value)
        let total = labelWidth + valueWidth
        let title = escapedText("\(target.name): \(label) \(value)")
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(total)" height="20" role="img" aria-label="\(title)">\
            <title>\(title)</title>\
            <linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>\
            <stop offset="1" stop-opacity=".1"/></linearGradient>\
            <clipPath id="r"><rect width="\(total)" height="20" rx="3" fill="#fff"/></clipPath>\
            <g clip-path="url(#r)"><rect width="\(labelWidth)" height="20" fill="#555"/>\
            <rect x="\(labelWidth)" width="\(valueWidth)" height="20" fill="\(colour)"/>\
            <rect width="\(total)" height="20" fill="url(#s)"/></g>\
            <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">\
            <text x="\(labelWidth / 2)" y="14">\(escapedText(label))</text>\
            <text x="\(labelWidth + valueWidth / 2)" y="14">\(escapedText(value))</text></g></svg>

            """
    }

    /// Shields' thresholds for uptime badges.
    static func colour(for availability: Double) -> String {
        switch availability {
        case 0.999...: "#4c1"
        case 0.99..<0.999: "#97ca00"
        case 0.95..<0.99: "#dfb317"
        case 0.90..<0.95: "#fe7d37"
        default: "#e05d44"
        }
    }

    /// The report's percentage (rounded down to three decimals) without trailing zeros: `99.95%`, `100%`.
    static func shortPercent(_ printed: String) -> String {
        var text = printed.dropLast()
        if text.contains(".") { while text.hasSuffix("0") { text.removeLast() } }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "%"
    }

    /// Verdana 11px averages about 7 px a character; 10 px of padding each side.
    private static func width(of text: String) -> Int { text.count * 7 + 20 }

    private static func escapedText(_ text: String) -> String { text.markupEscaped(limit: 200) }
}

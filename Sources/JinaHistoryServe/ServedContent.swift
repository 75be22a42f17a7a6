public import JinaHistoryCore

/// How `serve` writes what it serves: the renderers' work, given by the command (the server names no format), so
/// the API's JSON is the CLI's byte for byte.
public struct ServedContent: Sendable {
    /// The status page, as HTML.
    public var statusPage: @Sendable (StatusBoard) -> String
    /// One target's page: its report, the window asked, and the timeline of the outage chosen (if any).
    public var targetPage: @Sendable (TargetPage) -> String
    /// `report --format json`.
    public var reportJSON: @Sendable (HistoryReport) -> [UInt8]
    /// `timeline --format json`.
    public var timelineJSON: @Sendable (Timeline, ReportWindow) -> String
    /// One line of `export --format ndjson`.
    public var exportLine: @Sendable (ExportTable, [ExportValue?]) -> String
    /// `report --format svg-badge` of one target.
    public var badge: @Sendable (TargetReport) -> String

    /// Creates the content.
    public init(statusPage: @escaping @Sendable (StatusBoard) -> String,
                targetPage: @escaping @Sendable (TargetPage) -> String,
                reportJSON: @escaping @Sendable (HistoryReport) -> [UInt8],
                timelineJSON: @escaping @Sendable (Timeline, ReportWindow) -> String,
                exportLine: @escaping @Sendable (ExportTable, [ExportValue?]) -> String,
                badge: @escaping @Sendable (TargetReport) -> String) {
        self.statusPage = statusPage
        self.targetPage = targetPage
        self.reportJSON = reportJSON
        self.timelineJSON = timelineJSON
        self.exportLine = exportLine
        self.badge = badge
    }
}

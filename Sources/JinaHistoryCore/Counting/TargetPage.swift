/// What one target's page shows (`serve`'s `/targets/{name}`): its report for the window asked, with the query
/// that asked it, and the postmortem timeline of one of its outages when one was chosen.
public struct TargetPage: Sendable {
    /// The report, of this target only.
    public var report: HistoryReport
    /// `since`, `until` and `tz` as given (or their defaults), for the page's form.
    public var since: String, until: String, zone: String
    /// The outage chosen (by its position in the report's list, from 1) and its timeline.
    public var incident: (number: Int, incident: Incident)?

    /// Creates a page.
    public init(report: HistoryReport, since: String, until: String, zone: String,
                incident: (number: Int, incident: Incident)? = nil) {
        self.report = report
        self.since = since
        self.until = until
        self.zone = zone
        self.incident = incident
    }
}

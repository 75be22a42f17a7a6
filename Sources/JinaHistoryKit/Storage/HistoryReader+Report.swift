extension HistoryReader {
    /// Builds the report of `window` from this database.
    public func report(window: ReportWindow) throws -> HistoryReport {
        var builder = ReportBuilder(window: window)
        try load(into: &builder)
        return builder.finish()
    }
}

extension HistoryReader {
    /// Builds the report of `window` from this database; with `useRollups` off it reads every raw round (exact
    /// percentiles, and the check that rollups change nothing else), which is slower on long windows.
    public func report(window: ReportWindow, useRollups: Bool = true) throws -> HistoryReport {
        var builder = ReportBuilder(window: window)
        try load(into: &builder, useRollups: useRollups)
        return builder.finish()
    }
}

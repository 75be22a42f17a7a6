extension HistoryReader {
    /// Builds the report of `window` from this database; with `useRollups` off it reads every raw round (exact
    /// percentiles, and the check that rollups change nothing else), which is slower on long windows. Without
    /// `latencyStrip` the targets' ``TargetReport/latencyStrip`` stays empty (only the HTML chart draws it).
    public func report(window: ReportWindow, useRollups: Bool = true, latencyStrip: Bool = false) throws
        -> HistoryReport
    {
        var builder = ReportBuilder(window: window, latencyStrip: latencyStrip)
        try load(into: &builder, useRollups: useRollups)
        return builder.finish()
    }
}

import Foundation

extension [RecorderRunSpan] {
    /// The newest run of `vantage` without a stop mark whose recorder still lives: by pid on this host, else by a
    /// heartbeat younger than the report's crash grace. Both engines refuse a second recorder of a vantage by it.
    public func runningRecorder(vantage: String, nowMs: Int64) -> RecorderRunSpan? {
        let localHost = ProcessInfo.processInfo.hostName
        return reversed().first { run in
            guard run.stoppedMs == nil, run.vantage == vantage else { return false }
            return run.host == localHost
                ? run.processAlive == true
                : nowMs - run.heartbeatMs <= ReportBuilder.heartbeatGraceMs
        }
    }
}

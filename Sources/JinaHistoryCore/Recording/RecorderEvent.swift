/// What a recorder tells its listeners (the live view, log lines, metrics) as recording goes on.
public enum RecorderEvent: Sendable {
    /// A round finished (and will be written with the next batch).
    case round(Target, RoundRecord, Transition?)
    /// A write failed; the rounds stay queued (up to the buffer limit) and are retried with the next batch.
    case storageFailed(StorageFault, pendingRounds: Int)
    /// Writes succeed again; the fault was recorded with the rounds that waited.
    case storageRecovered(StorageFault)
    /// A notification to one destination ended (sent, failed, or not sent at the stop); stored with the next batch.
    case notified(target: String, NotificationDelivery)
}

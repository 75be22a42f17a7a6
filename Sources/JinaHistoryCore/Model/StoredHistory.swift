import Foundation

/// A recorder run as stored: when it started, its last heartbeat, and its clean-stop mark if it had one.
public struct RecorderRunSpan: Hashable, Codable, Sendable {
    /// How a run ended, as far as the database can tell.
    public enum Ending: String, Codable, Sendable {
        /// A clean-stop mark was written.
        case clean
        /// No mark and no recent heartbeat: the process died. Its time after the last heartbeat is unknown.
        case crashed
        /// No mark but a recent heartbeat: still recording.
        case running
    }

    /// Row id.
    public var id: Int64
    /// Start, UTC epoch ms.
    public var startedMs: Int64
    /// Last committed heartbeat, UTC epoch ms.
    public var heartbeatMs: Int64
    /// Clean stop, UTC epoch ms; `nil` if it crashed or is running.
    public var stoppedMs: Int64?
    /// Host name of the recorder.
    public var host: String
    /// Where the recorder stood (docs/semantics.md §9): its host name unless it was given another.
    public var vantage: String
    /// Process id of the recorder.
    public var pid: Int
    /// jina-history version of the recorder.
    public var version: String
    /// Whether the recorder's process is alive, when that can be known (same host); `nil` otherwise.
    public var processAlive: Bool?
    /// The slot of the run's last stored round; `nil` when it stored none, or was recorded before the stores kept
    /// it. No round of the run lies after it.
    public var lastSlotMs: Int64?

    /// Creates a run span.
    public init(id: Int64, startedMs: Int64, heartbeatMs: Int64, stoppedMs: Int64?, host: String = "",
                vantage: String? = nil, pid: Int = 0, version: String = "", processAlive: Bool? = nil,
                lastSlotMs: Int64? = nil) {
        self.id = id
        self.startedMs = startedMs
        self.heartbeatMs = heartbeatMs
        self.stoppedMs = stoppedMs
        self.host = host
        self.vantage = vantage ?? host
        self.pid = pid
        self.version = version
        self.processAlive = processAlive
        self.lastSlotMs = lastSlotMs
    }

    /// Whether `name` can name a vantage in reports and metric labels: 1 to 100 characters, none a control one.
    public static func isVantageName(_ name: String) -> Bool {
        (1...100).contains(name.count)
            && !name.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// How the run ended, judged at `nowMs`: a run without a stop mark crashed if its process is known to be
    /// gone, or if its heartbeat is older than `staleAfterMs`.
    public func ending(nowMs: Int64, staleAfterMs: Int64) -> Ending {
        if stoppedMs != nil { return .clean }
        if processAlive == false { return .crashed }
        return nowMs - heartbeatMs <= staleAfterMs ? .running : .crashed
    }
}

/// A target as stored, with the policy each recorder run probed it with.
public struct StoredTarget: Hashable, Sendable {
    /// Row id.
    public var id: Int64
    /// Name, kind and url (the url as last recorded).
    public var name: String
    /// What it is.
    public var kind: TargetKind
    /// Canonical url as last recorded.
    public var url: String
    /// Policy per recorder run id.
    public var policies: [Int64: ProbePolicy]
    /// Labels from the configuration, as the last run recorded them.
    public var labels: [String: String]
    /// The url each run probed, by run id: vantages may reach the same target through different addresses.
    public var runUrls: [Int64: String] = [:]

    /// Creates a stored target.
    public init(id: Int64, name: String, kind: TargetKind, url: String, policies: [Int64: ProbePolicy],
                labels: [String: String] = [:]) {
        self.id = id
        self.name = name
        self.kind = kind
        self.url = url
        self.policies = policies
        self.labels = labels
    }
}

/// A stored round with the ids that place it.
public struct StoredRound: Hashable, Sendable {
    /// Target row id.
    public var targetId: Int64
    /// Recorder run row id.
    public var runId: Int64
    /// The round and its attempts.
    public var round: RoundRecord

    /// Creates a stored round.
    public init(targetId: Int64, runId: Int64, round: RoundRecord) {
        self.targetId = targetId
        self.runId = runId
        self.round = round
    }
}

/// A maintenance window annotated after the fact (`jina-history annotate --maintenance`): its time is moved out
/// of up and down for its target, or for every target when it names none.
public struct MaintenanceWindow: Hashable, Codable, Sendable {
    /// Annotation row id, which `annotate --delete` takes.
    public var id: Int64
    /// The target row it applies to; `nil` for all targets.
    public var targetId: Int64?
    /// Start, UTC epoch ms (inclusive).
    public var fromMs: Int64
    /// End, UTC epoch ms (exclusive).
    public var toMs: Int64
    /// Why, as the operator wrote it.
    public var note: String
    /// When it was deleted (`annotate --delete`), UTC epoch ms; a deleted window no longer counts, and reports
    /// list it as deleted.
    public var deletedMs: Int64?

    /// Creates a window.
    public init(id: Int64 = 0, targetId: Int64?, fromMs: Int64, toMs: Int64, note: String, deletedMs: Int64? = nil) {
        self.id = id
        self.targetId = targetId
        self.fromMs = fromMs
        self.toMs = toMs
        self.note = note
        self.deletedMs = deletedMs
    }
}

extension StoredTarget {
    /// Labels as stored: a JSON object with sorted keys, so equal labels are equal text.
    public static func storedLabels(_ labels: [String: String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: labels, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Labels from their stored JSON object; none when there is none.
    public static func labels(stored json: String?) -> [String: String] {
        guard let json, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        else { return [:] }
        return object
    }
}

import JinaHistoryCore
/// Jina's status as JSON (`/dry_run` bodies and WebSocket JSON frames): `code` is `0`/`1` over HTTP and
/// `"SUCCESS"`/`"ERROR"` over WebSocket, and success may leave it out.
struct JinaStatusJSON {
    let code: Any?
    let description: String
    let exception: String

    init(_ json: [String: Any]) {
        code = json["code"]
        description = json["description"] as? String ?? ""
        exception = (json["exception"] as? [String: Any])?["name"] as? String ?? ""
    }

    /// Whether Jina said SUCCESS.
    var succeeded: Bool {
        switch code {
        case nil: true
        case let number as Int: number == 0
        case let text as String: text.uppercased() == "SUCCESS"
        default: false
        }
    }

    /// Ready with `okCode` as the raw code, or `not_ready` with Jina's code, description and exception.
    func outcome(okCode: Int) -> CheckOutcome {
        guard !succeeded else { return CheckOutcome(rawCode: okCode) }
        let jinaCode = (code as? Int) ?? 1
        return CheckOutcome(
            rawCode: jinaCode,
            failure: FailureDetail(.notReady, message: description, exception: exception))
    }
}

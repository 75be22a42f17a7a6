/// Error classes read from the text of a network error where the client gives no typed reason (NIO's connect
/// errors arrive wrapped and described, not typed, through the HTTP and WebSocket clients).
enum NetworkErrorText {
    /// `refused`, `dns`, `connect_timeout` or `tls` when the text says so, else `protocol`.
    static func classify(_ text: String) -> ErrorClass {
        let lowered = text.lowercased()
        if lowered.contains("connection refused") || lowered.contains("errno: 111") { return .refused }
        if lowered.contains("dnsaerror") || lowered.contains("dnsaaaaerror") || lowered.contains("name resolution")
            || lowered.contains("unknown host") || lowered.contains("unknownhost") || lowered.contains("dns error")
            || lowered.contains("could not resolve") { return .dns }
        if lowered.contains("connecttimeout") || lowered.contains("connect timeout") { return .connectTimeout }
        if lowered.contains("ssl") || lowered.contains("tls") || lowered.contains("certificate") { return .tls }
        return .protocol
    }
}

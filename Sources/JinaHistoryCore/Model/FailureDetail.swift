import Foundation

/// Everything known about one failed attempt: its class, the text, and what Jina said.
public struct FailureDetail: Hashable, Codable, Sendable {
    /// Longest message kept; remote text beyond it is cut, so one chatty server cannot bloat the history.
    public static let maximumMessageLength = 2_000

    /// Why it failed.
    public var errorClass: ErrorClass
    /// The error text (Jina's description for `not_ready`), length-capped.
    public var message: String
    /// Jina's exception name (e.g. `InternalNetworkError`) for `not_ready`, else empty; at most 200 characters.
    public var exception: String
    /// The failing deployment named in Jina's description, else empty.
    public var deployment: String
    /// The addresses Jina named for that deployment (e.g. `127.0.0.1:50805`), comma-separated, else empty.
    public var addresses: String

    /// Creates a detail; the deployment and its addresses are read out of `message` when Jina names them.
    public init(_ errorClass: ErrorClass, message: String, exception: String = "") {
        self.errorClass = errorClass
        self.message = String(message.prefix(Self.maximumMessageLength))
        self.exception = String(exception.prefix(200))
        (deployment, addresses) = Self.failingDeployment(in: message)
    }

    /// Reads "...deployment NAME at address(es) {'H:P', ...}..." out of a Jina description.
    static func failingDeployment(in message: String) -> (name: String, addresses: String) {
        guard let marker = message.range(of: "deployment ") else { return ("", "") }
        let rest = message[marker.upperBound...]
        let name = rest.prefix { !$0.isWhitespace }
        guard !name.isEmpty, let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}")
        else { return ("", "") }
        let addresses = rest[rest.index(after: open)..<close]
            .split(separator: ",")
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " '\"")) }
            .filter { !$0.isEmpty }
        return (name == "at" ? "" : String(name), addresses.joined(separator: ","))
    }

    /// The message for a terminal line: control characters (remote text can carry any) shown as spaces, cut at
    /// `limit` characters.
    public func oneLineMessage(limit: Int) -> String { message.oneLine(limit: limit) }
}

extension String {
    /// For a terminal line: control characters (remote or user text can carry any) shown as spaces, cut at
    /// `limit` characters.
    public func oneLine(limit: Int) -> String {
        // Reports print thousands of these; most are short printable ASCII, which needs no work.
        if utf8.count <= limit, utf8.allSatisfy({ (0x20..<0x7F).contains($0) }) { return self }
        let flat = String(unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : Character($0) })
        return flat.count > limit ? String(flat.prefix(limit)) + "..." : flat
    }
}

extension FailureDetail {
    /// A failed attempt's detail from its stored `error` row's columns (all `nil` when it has no error text), as
    /// every storage engine reads it.
    public init(storedClass errorClass: String?, exception: String?, message: String?) {
        self.init(ErrorClass(rawValue: errorClass ?? "") ?? .rpcError, message: message ?? "", exception: exception ?? "")
    }
}

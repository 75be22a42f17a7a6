import Foundation

/// Where a target listens and over which transport, parsed from a url as `jina ping` does.
///
/// ```swift
/// let endpoint = try Endpoint(parsing: "grpc://127.0.0.1:54321")
/// ```
public struct Endpoint: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The wire protocol a target is probed over, named by its url scheme.
    public enum Transport: String, Codable, Sendable, CaseIterable {
        /// gRPC over HTTP/2 (the default when a url has no scheme).
        case grpc
        /// HTTP/1.1.
        case http
        /// WebSocket (`ws://`).
        case websocket = "ws"

        /// The url scheme, with or without TLS.
        func scheme(secure: Bool) -> String {
            switch self {
            case .grpc: secure ? "grpcs" : "grpc"
            case .http: secure ? "https" : "http"
            case .websocket: secure ? "wss" : "ws"
            }
        }
    }

    /// Transport picked by the url's scheme.
    public var transport: Transport
    /// Host name or IP address (IPv6 without brackets).
    public var host: String
    /// TCP port.
    public var port: Int
    /// Whether the connection is TLS (`grpcs://`, `https://`, `wss://`).
    public var secure: Bool

    /// Creates an endpoint from its parts.
    public init(transport: Transport, host: String, port: Int, secure: Bool = false) {
        self.transport = transport
        self.host = host
        self.port = port
        self.secure = secure
    }

    /// Parses `[scheme://]host:port`. A url without a scheme is gRPC.
    ///
    /// - throws: ``JinaHistoryError`` naming what is wrong with the url and how to write it.
    public init(parsing url: String) throws {
        var rest = Substring(url.trimmingCharacters(in: .whitespaces))
        var transport = Transport.grpc
        var secure = false
        if let schemeEnd = rest.range(of: "://") {
            let scheme = rest[..<schemeEnd.lowerBound].lowercased()
            guard let known = Transport.allCases.first(where: {
                $0.scheme(secure: false) == scheme || $0.scheme(secure: true) == scheme
            }) else {
                throw Self.invalid(url, .unknownScheme(String(scheme)))
            }
            transport = known
            secure = known.scheme(secure: true) == scheme
            rest = rest[schemeEnd.upperBound...]
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        if rest.contains("@") {
            // Urls are stored and printed; a password in one would end up in the database and in every report.
            throw JinaHistoryError.invalid(.url, value: Self.maskingCredentials(url), .url(.credentials))
        }
        if let slash = rest.firstIndex(of: "/"), !rest[..<slash].isEmpty {
            throw Self.invalid(url, .path)
        }
        let host: Substring
        let portText: Substring
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            host = rest[rest.index(after: rest.startIndex)..<close]
            let afterHost = rest[rest.index(after: close)...]
            guard afterHost.hasPrefix(":") else {
                throw Self.invalid(url, .noPort)
            }
            portText = afterHost.dropFirst()
        } else {
            guard let colon = rest.lastIndex(of: ":") else {
                throw Self.invalid(url, .noPort)
            }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains("/") else {
            throw Self.invalid(url, .noHost)
        }
        guard let port = Int(portText), (1...65_535).contains(port) else {
            throw Self.invalid(url, .badPort(String(portText)))
        }
        self.init(transport: transport, host: String(host), port: port, secure: secure)
    }

    private static func invalid(_ url: String, _ problem: JinaHistoryError.URLProblem) -> JinaHistoryError {
        .invalid(.url, value: url, .url(problem))
    }

    /// `url` with whatever precedes an `@` in its authority replaced by `***`, so an error never repeats a password.
    private static func maskingCredentials(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@") else { return url }
        let start = url.range(of: "://").map(\.upperBound) ?? url.startIndex
        return url[..<start] + "***" + url[at...]
    }

    /// Whether the host is an IP address (v4 dotted quad or v6) rather than a name.
    public var hostIsIPAddress: Bool {
        host.contains(":") || (host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." })
    }

    /// The host as it goes into a url: IPv6 addresses in brackets.
    public var urlHost: String { host.contains(":") ? "[\(host)]" : host }

    /// The canonical url, e.g. `grpc://127.0.0.1:54321`.
    public var description: String {
        "\(transport.scheme(secure: secure))://\(urlHost):\(port)"
    }
}

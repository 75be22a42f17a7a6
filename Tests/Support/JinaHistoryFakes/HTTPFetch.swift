import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One answer of ``fetch(_:headers:)``.
public struct FetchedPage: Sendable {
    /// The status code.
    public var status: Int
    /// The headers, by lower-cased name (the last of a repeated one).
    public var headers: [String: String]
    /// The body as text.
    public var body: String
}

/// A GET of `url` through AsyncHTTPClient, with a 30 s deadline: what a browser or an API client gets.
public func fetch(_ url: String, headers: [String: String] = [:]) async throws -> FetchedPage {
    var request = HTTPClientRequest(url: url)
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let body = try await response.body.collect(upTo: 64 << 20)
    return FetchedPage(
        status: Int(response.status.code),
        headers: Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 }),
        body: String(buffer: body))
}

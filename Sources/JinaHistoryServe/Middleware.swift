import Foundation
import Hummingbird
import HTTPTypes

/// Headers every answer carries: no script may run (the pages need none), nothing is framed or sniffed, no
/// referrer leaves, and nothing is cached by a shared cache.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    static var policy: String {
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
            + "frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            response = HistoryServer.error(.notFound, "no such page; see / or /api/v1/openapi.json", parameter: nil)
        }
        response.headers[.contentSecurityPolicy] = Self.policy
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

/// Lets in only requests with the auth file's credentials; `/healthz` stays open for load balancers.
struct Authentication<Context: RequestContext>: RouterMiddleware {
    let auth: ServerAuth

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if request.uri.path == "/healthz" || auth.admits(request.headers[.authorization]) {
            return try await next(request, context)
        }
        var response = HistoryServer.error(.unauthorized, "credentials required (serve --auth-file)", parameter: nil)
        response.headers[.wwwAuthenticate] = auth.challenge
        return response
    }
}

/// Refuses a query string longer than ``HistoryServer/longestQuery`` before anything parses it.
struct QueryLimit<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard (request.uri.query?.utf8.count ?? 0) <= HistoryServer.longestQuery else {
            var response = HistoryServer.error(.badRequest, "the query is longer than \(HistoryServer.longestQuery) bytes",
                                               parameter: nil)
            response.status = .uriTooLong
            return response
        }
        return try await next(request, context)
    }
}

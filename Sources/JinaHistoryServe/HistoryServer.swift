import Foundation
import Hummingbird
import Logging
import NIOCore
public import JinaHistoryCore

/// `jina-history serve` (docs/serve.md): the status page, one page per target, the JSON API of `/api/v1` (the
/// CLI's JSON, the same schemas), badges and a health check, over Hummingbird. It only reads the history, through
/// ``HistoryReading`` snapshots that never block a recorder writing beside it; reads run off the server's
/// threads. Every answer has the security headers; with an auth file every path but `/healthz` needs it.
public struct HistoryServer: Sendable {
    /// Longest query string taken; anything longer is refused (414) before it is parsed.
    static let longestQuery = 2_048
    /// Rows an API export gives at most; a longer one is refused with what to do instead.
    static let longestExport = 200_000

    private let reader: any HistoryReading
    private let content: ServedContent
    private let auth: ServerAuth?
    private let board: BoardCache

    /// A server of `reader`'s history, written by `content`, behind `auth` when given.
    public init(reader: any HistoryReading, content: ServedContent, auth: ServerAuth?) {
        self.reader = reader
        self.content = content
        self.auth = auth
        board = BoardCache(reader: reader)
    }

    /// Serves on `host:port` until SIGINT or SIGTERM; `onListening` gets the port bound (a free one for 0).
    public func run(host: String, port: Int, onListening: @escaping @Sendable (Int) -> Void) async throws {
        let router = Router()
        router.add(middleware: SecurityHeaders())
        if let auth { router.add(middleware: Authentication(auth: auth)) }
        router.add(middleware: QueryLimit())
        routes(router)
        var logger = Logger(label: "jina-history.serve")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) }, logger: logger)
        do {
            try await app.runService()
        } catch let error as IOError {
            throw JinaHistoryError.invalid(
                .listen, value: host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)",
                .cannotListen(.init(errno: error.errnoCode, otherwise: String(cString: strerror(error.errnoCode)))))
        }
    }

    private func routes(_ router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in
            do {
                _ = try await offload { try reader.targetNames() }
                return Self.text("ok\n", type: "text/plain; charset=utf-8")
            } catch {
                return Self.error(.serviceUnavailable, "the history cannot be read: \(Self.line(error))", parameter: nil)
            }
        }
        router.get("/") { _, _ in
            try await answering {
                let board = try await board.current(nowMs: RunClock.wallNowMs())
                return Self.text(content.statusPage(board), type: "text/html; charset=utf-8")
            }
        }
        router.get("/targets/:name") { request, context in
            try await answering {
                // The router hands the segment over as sent: `%2F`, `%3C` and the like are the name's own characters.
                let raw = try context.parameters.require("name")
                let name = raw.removingPercentEncoding ?? raw
                let query = request.uri.queryParameters
                let since = query["since"].map(String.init) ?? "24h", until = query["until"].map(String.init) ?? "now"
                let zone = query["tz"].map(String.init) ?? "UTC"
                let window = try Self.window(since: since, until: until, zone: zone)
                let outage = try query["outage"].map { text -> Int in
                    guard let number = Int(text), number >= 1 else {
                        throw JinaHistoryError.invalid(.outage, value: String(text), .belowCount(1))
                    }
                    return number
                }
                let page = try await offload { () throws -> TargetPage in
                    var report = try reader.report(window: window, latencyStrip: true)
                    guard report.targets.contains(where: { $0.name == name }) else {
                        throw HistoryFeed.unknownTarget(name, known: report.targets.map(\.name))
                    }
                    report.targets.removeAll { $0.name != name }
                    var page = TargetPage(report: report, since: since, until: until, zone: zone)
                    if let outage, let incident = try reader.incidents(of: report, positions: (outage - 1)..<outage).first {
                        page.incident = (outage, incident)
                    }
                    return page
                }
                return Self.text(content.targetPage(page), type: "text/html; charset=utf-8")
            }
        }
        router.get("/api/v1/report") { request, _ in
            try await answering {
                let query = request.uri.queryParameters
                let window = try Self.window { query[Substring($0)].map(String.init) }
                let target = query["target"].map(String.init)
                let vantage = query["vantage"].map(String.init)
                let report = try await offload { () throws -> HistoryReport in
                    var report = try reader.report(window: window, vantage: vantage)
                    if let target {
                        try reader.requireTarget(named: target)
                        report.targets.removeAll { $0.name != target }
                    }
                    return report
                }
                return Self.bytes(content.reportJSON(report), type: "application/json")
            }
        }
        router.get("/api/v1/timeline") { request, _ in
            try await answering {
                let query = request.uri.queryParameters
                let window = try Self.window { query[Substring($0)].map(String.init) }
                let everyRound = query["every_round"].map { $0 == "true" || $0 == "1" } ?? false
                let timeline = try await offload {
                    try reader.timeline(window: window, target: query["target"].map(String.init), everyRound: everyRound,
                                        vantage: query["vantage"].map(String.init))
                }
                return Self.text(content.timelineJSON(timeline, window), type: "application/json")
            }
        }
        router.get("/api/v1/export") { request, _ in
            try await answering {
                let query = request.uri.queryParameters
                let what = query["what"].map(String.init) ?? ""
                guard let table = ExportTable(rawValue: what) else {
                    throw JinaHistoryError.invalid(.what, value: what, .notOneOf(ExportTable.allCases.map(\.rawValue)))
                }
                let window = try Self.window { query[Substring($0)].map(String.init) }
                let text = try await offload { () throws -> String in
                    var lines: [String] = []
                    try reader.export(table, window: window, target: query["target"].map(String.init),
                                      vantage: query["vantage"].map(String.init)) { values in
                        guard lines.count < Self.longestExport else { throw ExportTooLong() }
                        lines.append(content.exportLine(table, values))
                    }
                    return lines.map { $0 + "\n" }.joined()
                }
                return Self.text(text, type: "application/x-ndjson")
            }
        }
        router.get("/api/v1/openapi.json") { _, _ in Self.text(OpenAPIDocument.json, type: "application/json") }
        router.get("/badge/:file") { request, context in
            try await answering {
                let raw = try context.parameters.require("file")
                let file = raw.removingPercentEncoding ?? raw
                guard file.hasSuffix(".svg") else { return Self.error(.notFound, "no such badge; ask for /badge/NAME.svg", parameter: nil) }
                let name = String(file.dropLast(4))
                let length = request.uri.queryParameters["window"].map(String.init) ?? "30d"
                let lengthMs = try DurationText.milliseconds(length, for: .window)
                let nowMs = RunClock.wallNowMs()
                let window = try ReportWindow(sinceMs: nowMs - max(lengthMs, 1), untilMs: nowMs, nowMs: nowMs)
                let report = try await offload { () throws -> TargetReport in
                    guard let target = try reader.report(window: window).targets.first(where: { $0.name == name }) else {
                        throw HistoryFeed.unknownTarget(name, known: [])
                    }
                    return target
                }
                return Self.text(content.badge(report), type: "image/svg+xml")
            }
        }
    }

    /// Runs `body`, turning the errors a user's request can cause into 4xx answers with a JSON error naming the
    /// parameter, and a store that cannot be read into 503.
    private func answering(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as JinaHistoryError {
            switch error {
            case .invalid(.target, _, .notRecorded):
                return Self.error(.notFound, error.message { $0.rawValue }, parameter: "target")
            case .invalid(.vantage, _, .unknownVantage):
                return Self.error(.notFound, error.message { $0.rawValue }, parameter: "vantage")
            case .invalid(let input, _, _):
                return Self.error(.badRequest, error.message { $0.rawValue }, parameter: input.rawValue)
            default:
                return Self.error(.serviceUnavailable, error.message { $0.rawValue }, parameter: nil)
            }
        } catch is ExportTooLong {
            return Self.error(.badRequest, "more than \(Self.longestExport) rows; narrow since and until, or use "
                + "jina-history export", parameter: "since")
        }
    }

    /// `since`, `until` and `tz` in the CLI's grammar (docs/cli.md), with its defaults.
    static func window(_ query: (String) -> String?) throws -> ReportWindow {
        try window(since: query("since") ?? "24h", until: query("until") ?? "now", zone: query("tz") ?? "UTC")
    }

    static func window(since: String, until: String, zone name: String) throws -> ReportWindow {
        let nowMs = RunClock.wallNowMs()
        let zone = try TimeText.zone(named: name)
        let sinceMs = try TimeText.epochMilliseconds(since, for: .since, nowMs: nowMs, zone: zone)
        let untilMs = min(try TimeText.epochMilliseconds(until, for: .until, nowMs: nowMs, zone: zone), nowMs)
        return try ReportWindow(sinceMs: sinceMs, untilMs: untilMs, nowMs: nowMs, zone: zone)
    }

    static func text(_ text: String, type: String) -> Response { bytes(Array(text.utf8), type: type) }

    static func bytes(_ bytes: [UInt8], type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String, parameter: String?) -> Response {
        var object = "{\"error\":" + quoted(message)
        if let parameter { object += ",\"parameter\":" + quoted(parameter) }
        var response = text(object + "}\n", type: "application/json")
        response.status = status
        return response
    }

    /// A JSON string literal of `text`.
    static func quoted(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }

    static func line(_ error: any Error) -> String { String(describing: error).oneLine(limit: 300) }
}

/// An API export past ``HistoryServer/longestExport`` rows.
private struct ExportTooLong: Error {}

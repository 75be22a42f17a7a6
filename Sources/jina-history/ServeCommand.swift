import ArgumentParser
import Foundation
import JinaHistoryCore
import JinaHistoryRender
import JinaHistorySQLite
import JinaHistoryServe

/// `jina-history serve`: the status page, target pages and the JSON API of a history, read-only.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a status page, a page per target and a JSON API of the history, read-only.",
        discussion: """
            Pages: / (every target, worst first), /targets/NAME?since=&until=. API: /api/v1/report, /api/v1/timeline, \
            /api/v1/export, described at /api/v1/openapi.json. Also /badge/NAME.svg and /healthz. Stops on Ctrl-C or \
            SIGTERM. See docs/serve.md.
            """)

    @OptionGroup var database: DatabaseOption

    @Option(help: "Address to listen on; loopback unless you give another (then use --auth-file).")
    var listen = "127.0.0.1:8080"

    @Option(help: "A file of one line, 'bearer TOKEN' or 'basic USER:PASSWORD': every request but /healthz must carry it.")
    var authFile: String?

    func run() async throws {
        try await reportingErrors {
            let (host, port) = try ListenAddress.parse(listen, input: .listen)
            let auth = try authFile.map { try ServerAuth(file: $0) }
            let store = try database.store()
            let reader = try store.openReader()
            if !ListenAddress.isLoopback(host) {
                Console.message("jina-history: warning: serving on \(host), which other machines can reach"
                    + (auth == nil ? "; give --auth-file, or --listen 127.0.0.1:PORT" : "") + "\n")
            }
            let content = ServedContent(
                statusPage: StatusPageRenderer.render, targetPage: TargetPageRenderer.render,
                reportJSON: JSONReportRenderer.renderLine, timelineJSON: TimelineJSONRenderer.render,
                exportLine: { table, values in ExportFormat.ndjson.line(table.columns, values) },
                badge: { SVGBadgeRenderer.render($0) })
            try await HistoryServer(reader: reader, content: content, auth: auth).run(host: host, port: port) { bound in
                Console.message("serving \(store.location) read-only at http://\(ListenAddress.text(host, bound))/; Ctrl-C stops\n",
                                to: .standardOutput)
            }
        }
    }
}

/// `HOST:PORT` as `--listen` and `--metrics-listen` take it (`[::1]:PORT` for IPv6).
enum ListenAddress {
    /// The host and port of `address`.
    ///
    /// - throws: ``JinaHistoryError`` naming `input` when it is not HOST:PORT.
    static func parse(_ address: String, input: JinaHistoryError.Input) throws -> (String, Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65_535).contains(port), colon != address.startIndex
        else {
            throw JinaHistoryError.invalid(input, value: address, .notHostAndPort)
        }
        return (String(address[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
    }

    /// Whether only this machine can reach `host`.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// `host:port`, with brackets around an IPv6 host.
    static func text(_ host: String, _ port: Int) -> String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

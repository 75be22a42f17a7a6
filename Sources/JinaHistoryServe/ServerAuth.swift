import Foundation
import JinaHistoryCore

/// Who may read, from `serve --auth-file FILE` (docs/serve.md): one line, `bearer TOKEN` or `basic USER:PASSWORD`.
/// The secret is kept in memory only; it is never printed or logged.
public struct ServerAuth: Sendable {
    private enum Scheme: Sendable {
        case bearer(token: String)
        case basic(credentials: String)
    }

    private let scheme: Scheme

    /// Reads `path`.
    ///
    /// - throws: ``JinaHistoryError`` (``JinaHistoryError/Input/authFile``) when the file cannot be read or does not
    ///   hold one `bearer` or `basic` line; the message never quotes the secret.
    public init(file path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw JinaHistoryError.invalid(.authFile, value: path, .noSuchReadableFile)
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        let words = lines.first?.split(separator: " ", maxSplits: 1).map(String.init) ?? []
        guard lines.count == 1, words.count == 2, !words[1].isEmpty else {
            throw JinaHistoryError.invalid(.authFile, value: path, .notAnAuthFile)
        }
        switch words[0].lowercased() {
        case "bearer": scheme = .bearer(token: words[1])
        case "basic" where words[1].contains(":"): scheme = .basic(credentials: words[1])
        default: throw JinaHistoryError.invalid(.authFile, value: path, .notAnAuthFile)
        }
    }

    /// Whether an `Authorization` header's value lets the request in (compared in constant time).
    func admits(_ authorization: String?) -> Bool {
        guard let authorization else { return false }
        switch scheme {
        case .bearer(let token): return Self.same(authorization, "Bearer " + token)
        case .basic(let credentials):
            return Self.same(authorization, "Basic " + Data(credentials.utf8).base64EncodedString())
        }
    }

    /// The `WWW-Authenticate` challenge of a refused request.
    var challenge: String {
        switch scheme {
        case .bearer: "Bearer realm=\"jina-history\""
        case .basic: "Basic realm=\"jina-history\", charset=\"UTF-8\""
        }
    }

    private static func same(_ given: String, _ expected: String) -> Bool {
        let (given, expected) = (Array(given.utf8), Array(expected.utf8))
        var difference = given.count ^ expected.count
        for index in expected.indices { difference |= Int(expected[index] ^ (index < given.count ? given[index] : 0)) }
        return difference == 0
    }
}

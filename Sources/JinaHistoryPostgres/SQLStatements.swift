import Foundation

/// Splits a migration file into its statements: PostgreSQL's extended protocol, which postgres-nio speaks, takes
/// one statement per query. A `;` ends a statement unless it is inside a `--` comment, a quoted string or
/// identifier, or a dollar-quoted body (`$$ … $$`, `$tag$ … $tag$`).
enum SQLStatements {
    /// The statements of `sql`, trimmed, without empty ones or ones that are only comments.
    static func split(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var index = sql.startIndex
        var significant = false
        func finish() {
            let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
            if significant { statements.append(statement) }
            current = ""
            significant = false
        }
        while index < sql.endIndex {
            let character = sql[index]
            let rest = sql[index...]
            if rest.hasPrefix("--") {
                let end = rest.firstIndex(of: "\n") ?? sql.endIndex
                current += sql[index..<end]
                index = end
                continue
            }
            if character == "'" || character == "\"" {
                let end = rest.dropFirst().firstIndex(of: character).map { sql.index(after: $0) } ?? sql.endIndex
                current += sql[index..<end]
                significant = true
                index = end
                continue
            }
            if character == "$", let tagEnd = rest.dropFirst().firstIndex(of: "$"),
               rest[rest.index(after: rest.startIndex)..<tagEnd].allSatisfy({ $0.isLetter || $0 == "_" }) {
                let tag = sql[index...tagEnd]
                let bodyStart = sql.index(after: tagEnd)
                let end = sql[bodyStart...].range(of: tag).map(\.upperBound) ?? sql.endIndex
                current += sql[index..<end]
                significant = true
                index = end
                continue
            }
            if character == ";" {
                finish()
            } else {
                current.append(character)
                if !character.isWhitespace { significant = true }
            }
            index = sql.index(after: index)
        }
        finish()
        return statements
    }
}

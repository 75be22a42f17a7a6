import Foundation

/// libpq's password file (`~/.pgpass`, or PGPASSFILE): lines of `host:port:database:user:password`, `*` matching
/// anything, `\:` and `\\` escaped, `#` starting a comment. As libpq does, a file that its group or others may read
/// is ignored, so a password in it is never taken from a file others can see.
struct PasswordFile {
    private let entries: [[String]]

    /// Reads the file; `nil` when it is missing, unreadable or readable by others.
    init?(path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue, permissions & 0o077 == 0,
              let text = try? String(contentsOfFile: path, encoding: .utf8)
        else { return nil }
        entries = text.split(whereSeparator: \.isNewline).compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let fields = Self.fields(line)
            return fields.count == 5 ? fields : nil
        }
    }

    /// The password of the first line that matches, as libpq reads them.
    func password(host: String, port: Int, database: String, user: String) -> String? {
        let wanted = [host, String(port), database, user]
        return entries.first { entry in zip(entry, wanted).allSatisfy { $0 == "*" || $0 == $1 } }?[4]
    }

    private static func fields(_ line: Substring) -> [String] {
        var fields = [""]
        var escaping = false
        for character in line {
            if escaping {
                fields[fields.count - 1].append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == ":" && fields.count < 5 {
                fields.append("")
            } else {
                fields[fields.count - 1].append(character)
            }
        }
        return fields
    }
}

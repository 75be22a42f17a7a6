import Foundation

// Build-time tool: EmbedMigrations OUTPUT.swift NNNN_name.sql... writes `embeddedMigrations`, the SQL of every
// migration in order, as raw string literals. File names must start with their version number.

let arguments = CommandLine.arguments.dropFirst()
guard let outputPath = arguments.first else {
    FileHandle.standardError.write(Data("usage: EmbedMigrations OUTPUT.swift MIGRATION.sql...\n".utf8))
    exit(2)
}

var entries: [String] = []
for path in arguments.dropFirst() {
    let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    guard let version = Int(name.prefix(while: \.isNumber)) else {
        FileHandle.standardError.write(Data("migrations/\(name).sql: name must start with its version number\n".utf8))
        exit(1)
    }
    let sql = try String(contentsOfFile: path, encoding: .utf8)
    // A raw string with enough #s that no sequence in the SQL can close it early.
    var hashes = "#"
    while sql.contains("\"" + hashes) { hashes += "#" }
    entries.append("    (\(version), \"\(name)\", \(hashes)\"\"\"\n\(sql)\n\"\"\"\(hashes)),")
}

let source = """
    // Generated at build time by EmbedMigrations from migrations/*.sql. Do not edit.

    /// Every schema migration, in version order: (version, name, SQL).
    let embeddedMigrations: [(version: Int, name: String, sql: String)] = [
    \(entries.joined(separator: "\n"))
    ]

    """
try source.write(toFile: outputPath, atomically: true, encoding: .utf8)

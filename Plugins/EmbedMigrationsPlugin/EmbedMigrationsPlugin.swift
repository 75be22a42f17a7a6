import Foundation
import PackagePlugin

/// Feeds every `NNNN_name.sql` file of the target's engine to the `EmbedMigrations` tool, which writes them into one
/// Swift source file of the target: `migrations/` for SQLite, `migrations/postgres/` for PostgreSQL. The SQL files
/// stay the single source of truth for the schema.
@main
struct EmbedMigrationsPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let directory = context.package.directoryURL.appending(
            path: target.name == "JinaHistoryPostgres" ? "migrations/postgres" : "migrations")
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) schema migrations",
                executable: try context.tool(named: "EmbedMigrations").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}

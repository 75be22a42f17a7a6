import JinaHistoryCore

/// The PostgreSQL schema: `migrations/postgres/*.sql`, embedded at build time, applied forward only.
enum PostgresSchema {
    /// This binary's migrations.
    static let migrator = PostgresMigrator(migrations: embeddedMigrations.map {
        PostgresMigrator.Migration(version: $0.version, name: $0.name, sql: $0.sql)
    })

    /// Brings the database behind `connector` to this binary's version.
    ///
    /// - throws: ``JinaHistoryError`` (storage) when it cannot be reached, or its schema is newer (untouched).
    static func migrate(_ connector: PostgresConnector) throws {
        let location = connector.address.description
        try BlockingCall.run {
            _ = try await connector.withConnection { try await migrator.migrate($0, location: location) }
        }
    }
}

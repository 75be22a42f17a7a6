@testable import JinaHistoryPostgres
import Testing

/// Migration files cut into the single statements the extended protocol takes.
@Suite("SQL statements")
struct SQLStatementsTests {
    @Test("a ; ends a statement except in comments, strings, quoted names and dollar-quoted bodies")
    func split() {
        let sql = """
            -- a comment; with a semicolon
            CREATE TABLE "odd;name" (note text DEFAULT 'a;b');
            CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
            CREATE INDEX i ON t (x) -- trailing; comment
            ;
            -- only a comment at the end;
            """
        #expect(SQLStatements.split(sql) == [
            "-- a comment; with a semicolon\nCREATE TABLE \"odd;name\" (note text DEFAULT 'a;b')",
            "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
            "CREATE INDEX i ON t (x) -- trailing; comment",
        ])
        #expect(SQLStatements.split("  \n-- nothing\n").isEmpty)
    }
}

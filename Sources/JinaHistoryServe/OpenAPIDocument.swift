/// The OpenAPI 3.1 document of `serve`'s API, served at `/api/v1/openapi.json`: the one description of its paths,
/// parameters and errors (the answers' own schemas are the CLI's, in `reports/`).
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "jina-history serve",
    "version": "1",
    "description": "The readiness history of Jina services, read-only (docs/serve.md). Windows take the CLI's grammar: since and until are a duration back from now (90s, 15m, 24h, 7d, 2w), now, today, yesterday, a date (2026-11-24), a local time (2026-11-24T10:00, read in tz), an RFC 3339 time or unix seconds; an until after now is cut to now. Errors are {\"error\": TEXT, \"parameter\": NAME}: 400 for a bad value, 404 for an unknown target, 401 without the credentials of --auth-file, 414 for a query longer than 2048 bytes."
  },
  "servers": [{ "url": "/" }],
  "paths": {
    "/api/v1/report": {
      "get": {
        "summary": "The report of a window: availability, coverage, time by state, rounds, latency, outages, gaps, maintenance, notifications; what `jina-history report --format json` prints",
        "operationId": "report",
        "parameters": [
          { "$ref": "#/components/parameters/since" }, { "$ref": "#/components/parameters/until" },
          { "$ref": "#/components/parameters/tz" }, { "$ref": "#/components/parameters/target" },
          { "$ref": "#/components/parameters/vantage" }
        ],
        "responses": {
          "200": { "description": "reports/report.schema.json", "content": { "application/json": { "schema": { "type": "object" } } } },
          "400": { "$ref": "#/components/responses/bad" }, "404": { "$ref": "#/components/responses/unknown" },
          "401": { "$ref": "#/components/responses/unauthorized" }
        }
      }
    },
    "/api/v1/timeline": {
      "get": {
        "summary": "The postmortem timeline of a window; what `jina-history timeline --format json` prints",
        "operationId": "timeline",
        "parameters": [
          { "$ref": "#/components/parameters/since" }, { "$ref": "#/components/parameters/until" },
          { "$ref": "#/components/parameters/tz" }, { "$ref": "#/components/parameters/target" },
          { "$ref": "#/components/parameters/vantage" },
          { "name": "every_round", "in": "query", "description": "true: every failed round in full, none collapsed", "schema": { "type": "boolean", "default": false } }
        ],
        "responses": {
          "200": { "description": "reports/timeline.schema.json", "content": { "application/json": { "schema": { "type": "object" } } } },
          "400": { "$ref": "#/components/responses/bad" }, "404": { "$ref": "#/components/responses/unknown" },
          "401": { "$ref": "#/components/responses/unauthorized" }
        }
      }
    },
    "/api/v1/export": {
      "get": {
        "summary": "Raw rows of a window, one JSON object per line; what `jina-history export --format ndjson` prints (at most 200000 rows)",
        "operationId": "export",
        "parameters": [
          { "name": "what", "in": "query", "required": true, "schema": { "enum": ["rounds", "attempts", "transitions", "outages"] } },
          { "$ref": "#/components/parameters/since" }, { "$ref": "#/components/parameters/until" },
          { "$ref": "#/components/parameters/tz" }, { "$ref": "#/components/parameters/target" },
          { "$ref": "#/components/parameters/vantage" }
        ],
        "responses": {
          "200": { "description": "reports/export.schema.json, one row per line", "content": { "application/x-ndjson": { "schema": { "type": "string" } } } },
          "400": { "$ref": "#/components/responses/bad" }, "404": { "$ref": "#/components/responses/unknown" },
          "401": { "$ref": "#/components/responses/unauthorized" }
        }
      }
    },
    "/badge/{name}.svg": {
      "get": {
        "summary": "The availability badge of one target",
        "operationId": "badge",
        "parameters": [
          { "name": "name", "in": "path", "required": true, "schema": { "type": "string" } },
          { "name": "window", "in": "query", "description": "a duration back from now", "schema": { "type": "string", "default": "30d" } }
        ],
        "responses": {
          "200": { "description": "an SVG badge", "content": { "image/svg+xml": { "schema": { "type": "string" } } } },
          "400": { "$ref": "#/components/responses/bad" }, "404": { "$ref": "#/components/responses/unknown" }
        }
      }
    },
    "/healthz": {
      "get": {
        "summary": "ok when the history can be read (never needs credentials)",
        "operationId": "health",
        "responses": {
          "200": { "description": "ok", "content": { "text/plain": { "schema": { "type": "string" } } } },
          "503": { "description": "the history cannot be read", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/error" } } } }
        }
      }
    }
  },
  "components": {
    "parameters": {
      "since": { "name": "since", "in": "query", "description": "window start", "schema": { "type": "string", "default": "24h" } },
      "until": { "name": "until", "in": "query", "description": "window end", "schema": { "type": "string", "default": "now" } },
      "tz": { "name": "tz", "in": "query", "description": "zone of dates and local times: UTC, an IANA name or +01:00", "schema": { "type": "string", "default": "UTC" } },
      "target": { "name": "target", "in": "query", "description": "only this target", "schema": { "type": "string" } },
      "vantage": {
        "name": "vantage", "in": "query", "schema": { "type": "string" },
        "description": "only what the recorders of this vantage saw (docs/semantics.md §9); 404 for one no run stood at"
      }
    },
    "schemas": {
      "error": {
        "type": "object",
        "required": ["error"],
        "properties": { "error": { "type": "string" }, "parameter": { "type": "string" } }
      }
    },
    "responses": {
      "bad": { "description": "a bad parameter, named", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/error" } } } },
      "unknown": { "description": "an unknown target", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/error" } } } },
      "unauthorized": { "description": "credentials required", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/error" } } } }
    }
  }
}
"""#
}

"""Holds the package's dependency graph (swift package dump-package, on stdin) to the layering of
docs/architecture.md: every library depends on JinaHistoryCore and on the packages of its own concern, never on
another library; the core on nothing. Prints each arrow that crosses a wall and exits 1 if any."""
import json
import sys

# What each library may depend on besides the core.
ALLOWED = {
    "JinaHistoryCore": set(),
    "JinaHistorySQLite": {"GRDB"},
    "JinaHistoryPostgres": {"PostgresNIO", "NIOCore", "NIOPosix", "NIOSSL", "Logging"},
    "JinaHistoryProbes": {"JinaProtos", "GRPCCore", "SwiftProtobuf", "AsyncHTTPClient", "WSClient", "NIOCore",
                          "NIOPosix", "NIOHTTP1", "NIOWebSocket", "NIOSSL", "NIOHTTP2", "NIOHPACK", "Logging"},
    "JinaHistoryRecorder": set(),
    "JinaHistoryRender": set(),
    "JinaHistoryMetrics": {"NIOCore", "NIOPosix", "NIOHTTP1", "Prometheus"},
    "JinaHistoryConfig": {"Yams"},
    "JinaHistoryNotify": {"AsyncHTTPClient", "NIOCore", "NIOPosix", "NIOHTTP1"},
    "JinaHistoryServe": {"Hummingbird", "HTTPTypes", "NIOCore", "Logging"},
}

package = json.load(sys.stdin)
problems = []
for target in package["targets"]:
    name = target["name"]
    if name not in ALLOWED:
        continue
    for dependency in target.get("dependencies", []):
        value = next(iter(dependency.values()))
        module = value[0] if isinstance(value, list) else value
        if module == "JinaHistoryCore" and name != "JinaHistoryCore":
            continue
        if module not in ALLOWED[name]:
            others = ", ".join(sorted(ALLOWED[name])) or "nothing else"
            problems.append(f"{name} depends on {module}; it may depend on the core and {others}")
for line in problems:
    print("arrow crossed:", line)
if problems:
    sys.exit(1)
print("arrows point down: each library depends on the core and its own concern only; the core on Foundation alone")

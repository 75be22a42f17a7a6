"""A light stand-in for many gRPC health servers, for load benchmarks: one asyncio process listening on N loopback
ports, answering every `grpc.health.v1.Health/Check` with SERVING from canned HTTP/2 frames.

Why not grpcio: `bench central` makes 1,000 checks a second, each on a new connection, and grpcio's Python servers
need most of a core for that; beside ten recorders and PostgreSQL on 2 cores they fell behind and the recorders
saw timeouts (docs/benchmarks.md). This server parses only frame headers and answers stream 1 (the only stream of a
connection that jina-history's checker opens) with bytes made once, so it is a few percent of a core at that rate.
It is not a gRPC server: it ignores the request's path and content, and is for benchmarks only.

Prints the ports on one line once listening; runs until stopped.
"""
import asyncio, os, struct, subprocess, sys

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, SETTINGS = 0, 1, 4
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1


def frame(kind, flags, stream, payload=b""):
    """One HTTP/2 frame: 24-bit length, type, flags, stream id."""
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def literal(name, value):
    """An HPACK literal header field without indexing, new name (no Huffman): stateless, so it can be canned."""
    return b"\x00" + bytes([len(name)]) + name + bytes([len(value)]) + value


SERVER_SETTINGS = frame(SETTINGS, 0, 0)
SETTINGS_ACK = frame(SETTINGS, ACK, 0)
# HealthCheckResponse{status: SERVING} is protobuf 08 01; a gRPC message is a flag byte and a 4-byte length first.
ANSWER = (frame(HEADERS, END_HEADERS, 1, b"\x88" + literal(b"content-type", b"application/grpc"))
          + frame(DATA, 0, 1, b"\x00\x00\x00\x00\x02\x08\x01")
          + frame(HEADERS, END_HEADERS | END_STREAM, 1, literal(b"grpc-status", b"0")))


class Connection(asyncio.Protocol):
    """Answers once the client has sent its request on stream 1 whole (the DATA frame that ends it)."""

    def connection_made(self, transport):
        self.transport, self.buffer, self.preface_seen = transport, b"", False
        transport.write(SERVER_SETTINGS)

    def data_received(self, data):
        self.buffer += data
        if not self.preface_seen:
            if len(self.buffer) < len(PREFACE):
                return
            if not self.buffer.startswith(PREFACE):
                self.transport.close()
                return
            self.buffer, self.preface_seen = self.buffer[len(PREFACE):], True
        while len(self.buffer) >= 9:
            length = int.from_bytes(self.buffer[:3], "big")
            if len(self.buffer) < 9 + length:
                return
            kind, flags = self.buffer[3], self.buffer[4]
            stream = int.from_bytes(self.buffer[5:9], "big") & 0x7FFFFFFF
            self.buffer = self.buffer[9 + length:]
            if kind == SETTINGS and not flags & ACK:
                self.transport.write(SETTINGS_ACK)
            elif stream == 1 and flags & END_STREAM and kind in (DATA, HEADERS):
                self.transport.write(ANSWER)


async def serve(ports):
    loop = asyncio.get_running_loop()
    servers = [await loop.create_server(Connection, "127.0.0.1", 0, backlog=1024) for _ in range(ports)]
    print(" ".join(str(server.sockets[0].getsockname()[1]) for server in servers), flush=True)
    await asyncio.Event().wait()


def start(ports):
    """Starts the canned answers on `ports` loopback ports in a process of their own (the benchmark stops it by PID):
    the process, and its ports or None when they did not all start."""
    process = subprocess.Popen([sys.executable, os.path.abspath(__file__), str(ports)], stdout=subprocess.PIPE,
                               text=True)
    bound = process.stdout.readline().split()
    return process, bound if len(bound) == ports else None


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]) if len(sys.argv) > 1 else 100))

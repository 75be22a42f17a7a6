import Foundation

/// A condition that did not become true within its bound.
public struct ConditionTimedOut: Error, CustomStringConvertible {
    public let description: String

    /// A condition that did not come true, described.
    public init(description: String) { self.description = description }
}

/// Polls `condition` every `every` until it is true; throws after `timeout`. Tests wait on conditions, never on
/// fixed sleeps.
public func waitUntil(_ what: String, timeout: Duration, every: Duration = .milliseconds(20),
               _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: every)
    }
    if try await condition() { return }
    throw ConditionTimedOut(description: "timed out after \(timeout) waiting for: \(what)")
}

/// A free TCP port on 127.0.0.1, found by binding port 0 and closing.
public func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ConditionTimedOut(description: "socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw ConditionTimedOut(description: "bind() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

import Foundation
import JinaHistoryCore

/// Resolves a target's host name before a gRPC call. gRPC retries a failed name resolution with back-off and an
/// RPC may wait for it until its deadline (grpc/grpc#13627, grpc-swift-nio-transport#139), which would record a
/// name that does not resolve as `timeout`; asking the system resolver first makes it `dns` at once.
enum HostNameResolution {
    /// `nil` when `host` resolves, else the resolver's reason. Runs `getaddrinfo` off the cooperative threads
    /// (it blocks); the attempt's deadline bounds the wait.
    static func failure(host: String, port: Int) async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var addresses: UnsafeMutablePointer<addrinfo>?
                let code = getaddrinfo(host, String(port), &hints, &addresses)
                if let addresses { freeaddrinfo(addresses) }
                continuation.resume(
                    returning: code == 0 ? nil : "cannot resolve \(host): \(String(cString: gai_strerror(code)))")
            }
        }
    }
}

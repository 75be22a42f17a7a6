import Foundation
import NIOCore
import NIOSSL
import JinaHistoryCore

/// Turns ``TLSOptions`` into the configuration each client library takes. Built per attempt from the files, so
/// a renewed certificate is used at the next attempt.
enum TLSClientConfiguration {
    /// For every client (NIOSSL). With a CA file only that CA is trusted.
    ///
    /// A probe closes its connection only once it has its answer, so it does not wait for the server's
    /// close_notify: NIOSSL waits 5 s for it by default, Jina's Python gateways never send it, and a WebSocket
    /// check, which ends with the connection's close, took 5 s (docs/transports.md).
    static func nioSSL(_ options: TLSOptions) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.shutdownTimeout = .zero
        if options.skipsVerification { configuration.certificateVerification = .none }
        if let path = options.caCertificatePath { configuration.trustRoots = .file(path) }
        if let certificate = options.clientCertificatePath, let key = options.clientKeyPath {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        }
        return configuration
    }

    /// Loads every file once, so a file that is not PEM is bad input at start-up rather than a `tls` failure
    /// in every round.
    ///
    /// - throws: ``JinaHistoryError`` naming the target, the files and NIOSSL's reason.
    static func requireLoadable(_ options: TLSOptions, of target: String) throws {
        do {
            _ = try NIOSSLContext(configuration: try nioSSL(options))
        } catch {
            let files = [options.caCertificatePath, options.clientCertificatePath, options.clientKeyPath].compactMap { $0 }
            throw JinaHistoryError.unsupportedTarget(
                name: target, .unloadableCertificates(files: files, reason: NetworkFailure.withoutPaths("\(error)")))
        }
    }
}

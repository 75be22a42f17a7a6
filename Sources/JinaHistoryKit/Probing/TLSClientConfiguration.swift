import Foundation
import GRPCNIOTransportHTTP2
import NIOSSL

/// Turns ``TLSOptions`` into the configuration each client library takes. Built per attempt from the files, so
/// a renewed certificate is used at the next attempt.
enum TLSClientConfiguration {
    /// For the HTTP and WebSocket clients (NIOSSL). With a CA file only that CA is trusted.
    static func nioSSL(_ options: TLSOptions) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if options.skipsVerification { configuration.certificateVerification = .none }
        if let path = options.caCertificatePath { configuration.trustRoots = .file(path) }
        if let certificate = options.clientCertificatePath, let key = options.clientKeyPath {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        }
        return configuration
    }

    /// For the gRPC client: the same choices in grpc-swift's terms.
    static func grpc(_ options: TLSOptions) -> HTTP2ClientTransport.Posix.TransportSecurity {
        .tls { configuration in
            if options.skipsVerification { configuration.serverCertificateVerification = .noVerification }
            if let path = options.caCertificatePath {
                configuration.trustRoots = .certificates([.file(path: path, format: .pem)])
            }
            if let certificate = options.clientCertificatePath, let key = options.clientKeyPath {
                configuration.certificateChain = [.file(path: certificate, format: .pem)]
                configuration.privateKey = .file(path: key, format: .pem)
            }
        }
    }

    /// Loads every file once, so a file that is not PEM is bad input at start-up rather than a `tls` failure
    /// in every round.
    ///
    /// - throws: ``JinaHistoryError`` naming the files and NIOSSL's reason.
    static func requireLoadable(_ options: TLSOptions) throws {
        do {
            _ = try NIOSSLContext(configuration: try nioSSL(options))
        } catch {
            let files = [options.caCertificatePath, options.clientCertificatePath, options.clientKeyPath]
                .compactMap { $0 }.joined(separator: ", ")
            throw JinaHistoryError.badInput(
                "cannot load the TLS files (\(files)): \(error); give PEM certificates and an unencrypted PEM key")
        }
    }
}

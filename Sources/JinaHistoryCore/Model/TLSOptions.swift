import Foundation

/// How a TLS target is verified and whom the prober says it is. The paths are read at every attempt, so a
/// renewed certificate is picked up without a restart; none of this is written to the history database.
public struct TLSOptions: Hashable, Codable, Sendable {
    /// PEM file of the certificate authorities to trust instead of the system's.
    public var caCertificatePath: String?
    /// PEM file of the client certificate chain, for servers that ask for mutual TLS.
    public var clientCertificatePath: String?
    /// PEM file of the client certificate's private key.
    public var clientKeyPath: String?
    /// Skips certificate verification entirely (`--insecure`): the connection is encrypted but not
    /// authenticated.
    public var skipsVerification: Bool

    /// Creates options; the defaults verify against the system's trust store and present no certificate.
    public init(caCertificatePath: String? = nil, clientCertificatePath: String? = nil, clientKeyPath: String? = nil,
                skipsVerification: Bool = false) {
        self.caCertificatePath = caCertificatePath
        self.clientCertificatePath = clientCertificatePath
        self.clientKeyPath = clientKeyPath
        self.skipsVerification = skipsVerification
    }

    /// Checks that a client certificate comes with its key and that every named file can be read.
    ///
    /// - throws: ``JinaHistoryError`` naming the option and the file.
    public func requireComplete() throws {
        guard (clientCertificatePath == nil) == (clientKeyPath == nil) else {
            throw JinaHistoryError.invalid(.clientCertificate, value: clientCertificatePath ?? clientKeyPath ?? "",
                                           .without(.clientKey))
        }
        let files: [(JinaHistoryError.Input, String?)] = [
            (.caCertificate, caCertificatePath), (.clientCertificate, clientCertificatePath), (.clientKey, clientKeyPath),
        ]
        for case let (input, path?) in files where !FileManager.default.isReadableFile(atPath: path) {
            throw JinaHistoryError.invalid(input, value: path, .noSuchReadableFile)
        }
    }
}

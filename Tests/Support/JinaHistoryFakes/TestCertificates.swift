public import Foundation
import JinaHistoryTestSupport
public import NIOSSL

/// Certificates made by `openssl` for one test run: a CA, a server certificate it signed for 127.0.0.1 and
/// localhost, a client certificate it signed (for mutual TLS), and a self-signed server certificate nobody
/// trusts.
public struct TestCertificates: Sendable {
    public let directory: URL

    public var caCertificate: String { path("ca.pem") }
    public var clientCertificate: String { path("client.pem") }
    public var clientKey: String { path("client.key") }

    /// Made once per test process.
    public static let shared: Result<TestCertificates, any Error> = Result { try TestCertificates() }

    private init() throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "jina-history-certs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("subjectAltName=IP:127.0.0.1,DNS:localhost\n".utf8).write(to: directory.appending(path: "san.ext"))
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + key + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=jina-history test CA"])
        for name in ["server", "client"] {
            try openssl(["req"] + key + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=localhost"])
            try openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                         "-out", "\(name).pem", "-days", "2", "-extfile", "san.ext"])
        }
        try openssl(["req", "-x509"] + key + ["-keyout", "untrusted.key", "-out", "untrusted.pem", "-days", "2",
                     "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
    }

    public func path(_ name: String) -> String { directory.appending(path: name).path }

    /// A server TLS context: the CA-signed certificate, or the untrusted one; optionally demanding a client
    /// certificate signed by the CA.
    public func serverContext(trusted: Bool = true, requireClientCertificate: Bool = false) throws -> NIOSSLContext {
        let name = trusted ? "server" : "untrusted"
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(path("\(name).pem")).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: path("\(name).key"), format: .pem)))
        if requireClientCertificate {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .file(caCertificate)
        }
        return try NIOSSLContext(configuration: configuration)
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw ConditionTimedOut(description: "openssl \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }
}

import Foundation
import JinaHistoryCore
import JinaHistoryProbes
import Testing

/// What `record` and `ping` refuse at start-up, before any probe: TLS options that do not fit the url, certificate
/// files that do not load, `wss://` to an IP address.
@Suite("probeable targets")
struct ProbeableTargetTests {
    @Test("TLS options: only on TLS urls, client certificate with its key, files that exist; wss needs a name")
    func tlsOptions() throws {
        func problem(_ url: String, _ tls: TLSOptions) -> String? {
            do {
                try JinaReadinessChecker.requireProbeable(
                    Target(kind: .flow, endpoint: try Endpoint(parsing: url), tls: tls))
                return nil
            } catch {
                return (error as? JinaHistoryError)?.description
            }
        }
        #expect(problem("grpc://h:1", TLSOptions(skipsVerification: true))?.contains("TLS urls only") == true)
        #expect(problem("https://h:1", TLSOptions(clientCertificatePath: "/etc/hostname"))?.contains("go together") == true)
        #expect(problem("https://h:1", TLSOptions(caCertificatePath: "/no/such.pem"))?.contains("/no/such.pem") == true)
        #expect(problem("https://h:1", TLSOptions(caCertificatePath: "/etc/hostname"))?.contains("cannot load") == true)
        #expect(problem("wss://127.0.0.1:1", TLSOptions())?.contains("needs a host name") == true)
        #expect(problem("wss://localhost:1", TLSOptions()) == nil)
        #expect(problem("wss://cafe:1", TLSOptions()) == nil, "a name of hex digits is still a name")
    }
}

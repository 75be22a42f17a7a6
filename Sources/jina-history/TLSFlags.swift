import ArgumentParser
import Foundation
import JinaHistoryConfig
import JinaHistoryCore
import JinaHistoryMetrics
import JinaHistoryProbes
import JinaHistoryRecorder
import JinaHistoryRender
import JinaHistorySQLite

/// `--ca-cert`, `--client-cert`, `--client-key` and `--insecure`, shared by the commands that probe.
struct TLSFlags: ParsableArguments {
    @Option(name: .customLong("ca-cert"),
            help: "PEM file of the CA that signs grpcs://, https:// and wss:// servers (default: the system's).")
    var caCert: String?

    @Option(help: "PEM client certificate, for servers that require mutual TLS (with --client-key).")
    var clientCert: String?

    @Option(help: "PEM private key of --client-cert (unencrypted).")
    var clientKey: String?

    @Flag(help: "Do not verify TLS certificates (encrypted, but anyone could be answering; a warning is printed).")
    var insecure = false

    /// The options every target of the command gets.
    var options: TLSOptions {
        TLSOptions(caCertificatePath: caCert, clientCertificatePath: clientCert, clientKeyPath: clientKey,
                   skipsVerification: insecure)
    }
}

/// Checks each target as the probes will need it (a config file's targets are checked as it is read).
///
/// - returns: one warning per target whose TLS is not verified, for the caller to print once nothing else can
///   fail (bad input is one line and nothing more).
func requireProbeable(_ targets: [Target], alreadyChecked: Bool = false) throws -> [String] {
    if !alreadyChecked { try targets.forEach(JinaReadinessChecker.requireProbeable) }
    return targets.filter { $0.endpoint.secure && $0.tls.skipsVerification }
        .map { "\($0.name): TLS certificate not verified (--insecure)" }
}

import Foundation
import HeraldCore
import HeraldPostgres
import Logging
import PostgresNIO
import Testing

/// TLS to PostgreSQL as libpq's `sslmode` defines it, against the real server `scripts/test`
/// starts with TLS on (a certificate for localhost and 127.0.0.1 from a throw-away CA).
@Suite struct PostgresTLSTests {
    private func tlsFolder() throws -> String {
        guard let dir = ProcessInfo.processInfo.environment["HERALD_TEST_POSTGRES_TLS"], !dir.isEmpty else {
            throw HeraldError.configuration(
                "HERALD_TEST_POSTGRES_TLS is not set: run the suite with scripts/test (it starts PostgreSQL with --tls)")
        }
        return dir
    }

    /// `base` with its query replaced by `query`, on `host`.
    private func url(_ query: String, host: String = "127.0.0.1") async throws -> String {
        let base = try PostgresURL(try await TestDatabases.shared.create())
        return "postgres://\(base.user)@\(host):\(base.port)/\(base.database)" + (query.isEmpty ? "" : "?" + query)
    }

    /// Whether the connection Herald's configuration opens is encrypted (the server's own view).
    private func encrypted(_ text: String) async throws -> Bool {
        let client = PostgresClient(configuration: try PostgresURL(text).configuration(maximumConnections: 1))
        return try await withThrowingTaskGroup(of: Bool?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            let rows = try await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            for try await ssl in rows.decode(Bool.self) { return ssl }
            throw HeraldError.internal("pg_stat_ssl has no row for this connection")
        }
    }

    @Test func verifyFullChecksTheChainAndTheHostName() async throws {
        let ca = try tlsFolder() + "/ca.crt"
        #expect(try await encrypted(try await url("sslmode=verify-full&sslrootcert=\(ca)", host: "localhost")))
        #expect(try await encrypted(try await url("sslmode=verify-full&sslrootcert=\(ca)")))
        #expect(try await encrypted(try await url("sslmode=verify-ca&sslrootcert=\(ca)")))
        // The whole store works over it.
        let store = PostgresStore(url: try PostgresURL(try await url("sslmode=verify-full&sslrootcert=\(ca)")), logger: quiet)
        try await store.migrate()
        try await store.checkWritable()
        try await store.close()
    }

    @Test func aCertificateFromAnotherAuthorityIsRefusedAtOnce() async throws {
        let other = try tlsFolder() + "/other-ca.crt"
        for mode in ["verify-full", "verify-ca", "require"] {
            let store = PostgresStore(url: try PostgresURL(try await url("sslmode=\(mode)&sslrootcert=\(other)")), logger: quiet)
            let started = ContinuousClock.now
            do {
                try await store.migrate()
                Issue.record("sslmode=\(mode) with an unrelated CA connected")
            } catch let error as HeraldError {
                #expect(error.kind == .unavailable)
                #expect(error.detail.contains("cannot connect to PostgreSQL at postgres://"), "\(error.detail)")
                #expect(error.detail.lowercased().contains("certificate"), "sslmode=\(mode): \(error.detail)")
            }
            // Told at start-up, not after the pool's minute of quiet retries.
            #expect(ContinuousClock.now - started < .seconds(10))
            try await store.close()
        }
    }

    @Test func anUnreachableServerIsReportedAtOnce() async throws {
        let store = PostgresStore(url: try PostgresURL("postgres://herald@127.0.0.1:1/herald"), logger: quiet)
        let started = ContinuousClock.now
        do {
            try await store.migrate()
            Issue.record("port 1 answered")
        } catch let error as HeraldError {
            #expect(error.kind == .unavailable && error.detail.contains("127.0.0.1:1"), "\(error.detail)")
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        try await store.close()
    }

    @Test func requireAndPreferEncryptWithoutVerifyingAndDisableDoesNot() async throws {
        #expect(try await encrypted(try await url("sslmode=require")))
        #expect(try await encrypted(try await url("")))                 // libpq's default: prefer
        #expect(try await encrypted(try await url("sslmode=prefer")))
        #expect(try await !encrypted(try await url("sslmode=disable")))
    }

    @Test func badTLSParametersAreConfigurationErrors() throws {
        let cases: [(String, String)] = [
            ("sslmode=allow", "sslmode=allow is not one of disable, prefer, require, verify-ca, verify-full"),
            ("sslmode=verify-full&sslrootcert=/nonexistent/ca.crt", "sslrootcert /nonexistent/ca.crt cannot be read"),
            ("sslmode=disable&sslrootcert=/etc/hostname", "sslrootcert has no effect with sslmode=disable"),
            ("sslcert=/tmp/c.crt", "client certificates (sslcert) are not supported"),
            ("sslrootcert=", "sslrootcert needs the path of a PEM file"),
        ]
        for (query, expected) in cases {
            do {
                _ = try PostgresURL("postgres://herald@127.0.0.1:5432/herald?\(query)")
                Issue.record("\(query) was accepted")
            } catch let error as HeraldError {
                #expect(error.detail.contains(expected), "\(query): \(error.detail)")
            }
        }
        let parsed = try PostgresURL("postgres://herald:secret@db.internal/herald?sslmode=verify-full&sslrootcert=/etc/hostname")
        #expect(parsed.sslMode == .verifyFull && parsed.sslRootCertificate == "/etc/hostname")
        #expect(parsed.redacted == "postgres://herald:***@db.internal:5432/herald?sslmode=verify-full")
        #expect(try PostgresURL("postgres://herald@db/herald").sslMode == .prefer)
    }
}

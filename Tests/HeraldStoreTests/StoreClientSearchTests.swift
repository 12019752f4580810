import HeraldCore
import HeraldStore
import Testing

/// `ClientFilter.search` on both backends: what a CSM types into "My clients" or
/// `GET /v1/clients?search=` to find a client.
@Suite struct StoreClientSearchTests {
    private static func registry(_ store: any Store) async throws {
        let wang = CSM(name: "王芳", email: "wang@acme.example")
        let zhao = CSM(name: "赵强", email: "zhao@acme.example")
        var xinghe = Client(id: "xinghe", name: "星河科技", tier: "strategic", lifecycleStage: "onboarding", csm: wang)
        xinghe.contacts = [
            Contact(id: "li", name: "李雷", email: "Li.Lei@XingHe.example", phone: "+8613900139000"),
            Contact(id: "han", name: "韩梅梅", email: "han@xinghe.example"),
        ]
        var beta = Client(id: "beta-analytics", name: "Beta Analytics", tier: "standard", lifecycleStage: "growth", csm: wang)
        beta.contacts = [Contact(id: "ops", name: "Ops desk", email: "ops@beta.example", phone: "+14155550123")]
        var percent = Client(id: "p100", name: "100% Uptime_Co", tier: "standard", csm: zhao)
        percent.contacts = [Contact(id: "a", name: "Ann", email: "ann@uptime.example")]
        let alphabet = Client(id: "alphabet", name: "Alphabet Soup", tier: "strategic", csm: zhao)
        let metric = Client(id: "m1", name: "Metric Betamax", tier: "strategic", csm: zhao)
        for client in [xinghe, beta, percent, alphabet, metric] { _ = try await store.upsertClient(client) }
    }

    private static func ids(_ store: any Store, _ text: String, _ base: ClientFilter = .all) async throws -> [String] {
        let filter = try base.searching(text)
        let listed = try await store.clients(matching: filter, after: nil, limit: 100).map(\.id)
        // The attention order reads its ids through the same filter.
        #expect(try await store.clientIDs(matching: filter, limit: 100) == listed)
        return listed
    }

    @Test(arguments: StoreBackend.allCases)
    func findsClientsByNameIdAndContacts(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        try await Self.registry(store)
        // Part of a name, either case of A–Z; Chinese names by any part.
        #expect(try await Self.ids(store, "beta") == ["beta-analytics", "m1"])
        #expect(try await Self.ids(store, "ANALYTICS") == ["beta-analytics"])
        #expect(try await Self.ids(store, "星河") == ["xinghe"])
        #expect(try await Self.ids(store, "科技") == ["xinghe"])
        // Part of an id.
        #expect(try await Self.ids(store, "p10") == ["p100"])
        // A contact's name, email (any case) or phone number.
        #expect(try await Self.ids(store, "韩梅") == ["xinghe"])
        #expect(try await Self.ids(store, "li.lei@xinghe") == ["xinghe"])
        #expect(try await Self.ids(store, "ops desk") == ["beta-analytics"])
        #expect(try await Self.ids(store, "13900139000") == ["xinghe"])
        #expect(try await Self.ids(store, "139 0013-9000") == ["xinghe"])
        #expect(try await Self.ids(store, "+1 (415) 555-0123") == ["beta-analytics"])
        // Spaces around the text do not count; nothing found is an empty list.
        #expect(try await Self.ids(store, "  soup ") == ["alphabet"])
        #expect(try await Self.ids(store, "nobody at all") == [])
        // With the other filters: every condition holds.
        #expect(try await Self.ids(store, "beta", ClientFilter(tier: "strategic")) == ["m1"])
        #expect(try await Self.ids(store, "beta", ClientFilter(csm: "wang@acme.example")) == ["beta-analytics"])
        // Paged by id like any list.
        let filter = try ClientFilter.all.searching("a")
        let first = try await store.clients(matching: filter, after: nil, limit: 2).map(\.id)
        #expect(first == ["alphabet", "beta-analytics"])
        #expect(try await store.clients(matching: filter, after: first.last, limit: 2).map(\.id) == ["m1", "p100"])
    }

    @Test(arguments: StoreBackend.allCases)
    func wildcardsMatchOnlyThemselves(backend: StoreBackend) async throws {
        let (store, cleanup) = try await backend.make()
        defer { cleanup() }
        try await Self.registry(store)
        // `%` and `_` are LIKE's wildcards; typed into a search they mean the characters.
        #expect(try await Self.ids(store, "%") == ["p100"])
        #expect(try await Self.ids(store, "_") == ["p100"])
        #expect(try await Self.ids(store, "0%") == ["p100"])
        #expect(try await Self.ids(store, "e_C") == ["p100"])
        #expect(try await Self.ids(store, "B%x") == [])
        #expect(try await Self.ids(store, "\\") == [])
    }
}

@Suite struct ClientFilterTests {
    @Test func emptySearchIsNoSearch() throws {
        #expect(try ClientFilter.all.searching(nil) == .all)
        #expect(try ClientFilter.all.searching("   ") == .all)
        #expect(try ClientFilter(tier: "smb").searching("  Acme ").search == "Acme")
    }

    @Test(arguments: [
        (String(repeating: "a", count: ClientFilter.maximumSearchLength + 1), "at most 100 characters"),
        ("acme\u{0}", "control characters"), ("a\r\nb", "control characters"),
    ])
    func badSearchNamesTheField(text: String, reason: String) throws {
        do {
            _ = try ClientFilter.all.searching(text, field: "q")
            Issue.record("accepted \(text.debugDescription)")
        } catch let error as HeraldError {
            #expect(error.fields.map(\.name) == ["q"])
            #expect(error.fields.first?.reason.contains(reason) == true)
        }
    }

    @Test func patternsEscapeWildcardsAndFoldPhoneNumbers() throws {
        #expect(try ClientFilter.all.searching("50%_off\\").searchPattern == "%50\\%\\_off\\\\%")
        #expect(try ClientFilter.all.searching("+86 139-0013 (9000)").phonePattern == "%8613900139000%")
        // Not a phone number: the name pattern.
        #expect(try ClientFilter.all.searching("Acme-1").phonePattern == "%Acme-1%")
        #expect(try ClientFilter.all.searching("12").phonePattern == "%12%")
    }
}

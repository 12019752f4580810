import HeraldCore
import Testing

@Suite struct ClientChangesTests {
    private static let wang = CSM(name: "王芳", email: "wang@acme.example")
    private static let base = Client(
        id: "xinghe", name: "星河科技", tier: "strategic", lifecycleStage: "onboarding", csm: wang,
        contacts: [Contact(id: "li", name: "李雷", email: "li@xinghe.example"), Contact(id: "han", name: "韩梅梅", email: "han@xinghe.example")])

    @Test func aNewClientIsRecordedWithItsTierAndCSM() throws {
        let entry = try #require(ClientChanges.entry(old: nil, new: Self.base, actor: "token:crm", at: 1))
        #expect(entry.action == .clientCreated && entry.subject == "xinghe" && entry.actor == "token:crm")
        #expect(entry.detail == "tier strategic; CSM wang@acme.example; stage onboarding; 2 contacts")
    }

    @Test func theSameDataAgainRecordsNothing() {
        var again = Self.base
        again.updatedAt += 86_400_000   // a nightly sync: only the save time moves
        #expect(ClientChanges.entry(old: Self.base, new: again, actor: "token:crm", at: 2) == nil)
    }

    @Test func changesAreListedWithoutAddressesOrURLs() throws {
        var moved = Self.base
        moved.tier = "standard"
        moved.csm = CSM(name: "张伟", email: "zhang@acme.example")
        moved.contacts = [Contact(id: "li", name: "李雷", email: "lei.li@xinghe.example"), Contact(id: "wu", name: "吴", phone: "+8613800138000")]
        moved.endpoints = ["webhook": "https://crm.example/hook?token=s3cret"]
        let entry = try #require(ClientChanges.entry(old: Self.base, new: moved, actor: "cli:ops", at: 3))
        #expect(entry.action == .clientUpdated)
        #expect(entry.detail == "tier strategic → standard; CSM wang@acme.example → zhang@acme.example; contacts added: wu; "
            + "contacts removed: han; contacts changed: li; endpoints changed: webhook")
        #expect(!entry.detail.contains("s3cret") && !entry.detail.contains("lei.li") && !entry.detail.contains("+86"))
    }
}

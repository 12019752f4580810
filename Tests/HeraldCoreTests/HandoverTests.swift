import HeraldCore
import Testing

@Suite struct HandoverTests {
    static let liNa = CSM(name: "Li Na", email: "li.na@cs.example", phone: "+8613922223333", dingtalkUserID: "lina")

    @Test func aRequestNamesEveryOffendingField() throws {
        let good = try Handover.parse(.object([
            "from": .string("Wang@CS.example"), "to": .object(["name": .string("Li Na"), "email": .string("li.na@cs.example")]),
            "clients": .array([.string("beta"), .string("acme"), .string("beta")]),
        ]))
        #expect(good.from == "wang@cs.example" && good.clientIDs == ["acme", "beta"] && !good.dryRun && good.to.name == "Li Na")

        func problems(_ body: JSONValue) -> [String] {
            do {
                _ = try Handover.parse(body)
                return []
            } catch {
                return error.fields.map(\.name).sorted()
            }
        }
        #expect(problems(.object([:])) == ["from", "to"])
        #expect(problems(.object(["from": .string("not an address"), "to": .object(["name": .string("Li")]), "x": .bool(true)]))
            == ["from", "to.email", "x"])
        #expect(problems(.object([
            "from": .string("wang@cs.example"), "to": .object(["name": .string("W"), "email": .string("WANG@cs.example")]),
        ])) == ["to.email"])
        #expect(problems(.object([
            "from": .string("wang@cs.example"), "to": .object(["name": .string("Li\r\nBcc: x"), "email": .string("li@cs.example"), "phone": .string("123")]),
            "clients": .array([.int(1)]), "dry_run": .string("yes"),
        ])) == ["clients[0]", "dry_run", "to.name", "to.phone"])
        #expect(problems(.object([
            "from": .string("wang@cs.example"), "to": .object(["name": .string("Li"), "email": .string("li@cs.example")]), "clients": .array([]),
        ])) == ["clients"])
    }

    @Test func aWaitingMessageRepliesToAndMentionsTheNewCSMOnlyWhereItNamedTheOld() throws {
        let h = Handover(from: "wang@cs.example", to: Self.liNa)
        let wang = CSM(name: "Wang", email: "wang@cs.example", phone: "+8613911112222", wecomUserID: "wangf")
        // Whatever name the Reply-To carried, and a bare address too.
        #expect(h.rewrite(replyTo: "王芳 <Wang@CS.example>", mentions: [], old: wang)?.replyTo == "Li Na <li.na@cs.example>")
        #expect(h.rewrite(replyTo: "wang@cs.example", mentions: [], old: wang)?.replyTo == "Li Na <li.na@cs.example>")
        // Another Reply-To (a caller's own) stays; so do mentions that are not Wang's.
        #expect(h.rewrite(replyTo: "support@acme.example", mentions: ["+8613800138000", "wecom:zhao"], old: wang) == nil)
        let both = try #require(h.rewrite(replyTo: nil, mentions: ["wecom:wangf", "+8613800138000", "+8613911112222"], old: wang))
        #expect(both.replyTo == nil && both.mentions == ["+8613800138000", "dingtalk:lina", "+8613922223333"])
        #expect(h.rewrite(replyTo: nil, mentions: [], old: nil) == nil)
    }
}

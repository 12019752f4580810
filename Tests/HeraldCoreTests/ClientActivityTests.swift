import HeraldCore
import Testing

@Suite struct ClientActivityTests {
    @Test func clientsNeedingAttentionComeFirstAndTiesGoById() {
        let list = [
            ClientActivity(clientID: "quiet-recent", lastContactAt: 9_000, messages: 3),
            ClientActivity(clientID: "quiet-long", lastContactAt: 1_000, messages: 3),
            ClientActivity(clientID: "never-b"),
            ClientActivity(clientID: "unopened-1", lastContactAt: 5_000, messages: 1, unopened: 1),
            ClientActivity(clientID: "important-1", lastContactAt: 5_000, messages: 4, unopened: 3, unopenedImportant: 1),
            ClientActivity(clientID: "never-a"),
            ClientActivity(clientID: "important-2", lastContactAt: 9_000, messages: 2, unopened: 2, unopenedImportant: 2),
            ClientActivity(clientID: "unopened-3", lastContactAt: 9_000, messages: 3, unopened: 3),
            ClientActivity(clientID: "quiet-long-b", lastContactAt: 1_000, messages: 1),
        ]
        let expected = [
            "important-2", "important-1", "unopened-3", "unopened-1", "never-a", "never-b", "quiet-long", "quiet-long-b",
            "quiet-recent",
        ]
        #expect(list.sorted(by: ClientActivity.needsAttentionBefore).map(\.clientID) == expected)
        #expect(list.reversed().sorted(by: ClientActivity.needsAttentionBefore).map(\.clientID) == expected)
        // A strict order: nothing comes before itself.
        #expect(list.allSatisfy { !ClientActivity.needsAttentionBefore($0, $0) })
    }
}

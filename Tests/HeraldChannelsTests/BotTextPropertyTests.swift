import PropertyBased
import Testing

@testable import HeraldChannels

/// The robot text fitters never exceed a platform's byte limit, never split a character, and keep a
/// prefix of the original (so the cut text re-joins the rest to the original).
@Suite struct BotTextPropertyTests {
    static let text = Gen<Character>.oneOf(
        Gen.character(in: "a"..."z"), Gen.character(in: "0"..."9"), Gen.character(in: "一"..."龥"), Gen.character(in: "😀"..."🙏"),
        Gen.always("\n"), Gen.always(" "), Gen.always("👩‍👩‍👧")
    ).string(of: 0...600)

    @Test func fittedStaysWithinTheLimitAndKeepsAPrefix() async {
        await propertyCheck(count: 400, input: Self.text, Gen.int(in: 16...2_048)) { content, limit in
            let fitted = BotText.fitted(content, limit: limit)
            #expect(fitted.utf8.count <= limit)
            if content.utf8.count <= limit {
                #expect(fitted == content)
            } else {
                #expect(fitted.hasSuffix(BotText.truncationMarker))
                let kept = String(fitted.dropLast(BotText.truncationMarker.count))
                #expect(content.hasPrefix(kept))                   // kept + the rest == the original
                #expect(kept + content.dropFirst(kept.count) == content)
            }
        }
    }

    @Test func cutStaysWithinTheBytesAtACharacterBoundary() async {
        await propertyCheck(count: 400, input: Self.text, Gen.int(in: 4...512)) { content, bytes in
            let cut = BotText.cut(content, bytes: bytes)
            #expect(cut.utf8.count <= bytes)
            if content.utf8.count <= bytes {
                #expect(cut == content)
            } else {
                #expect(cut.hasSuffix("…") && content.hasPrefix(String(cut.dropLast())))
            }
        }
    }
}

import HeraldCore
import PropertyBased
import Testing

/// SMS segment counting over random text: GSM-7 exactly when every character is in the GSM sets,
/// one part iff the text fits one, enough parts for every unit (a character never split), and
/// appending text never makes a message cheaper.
@Suite struct SMSSegmentsPropertyTests {
    static let gsm = Gen<Character>.oneOf(Gen.character(in: "a"..."z"), Gen.character(in: "0"..."9"), Gen.always(" "), Gen.always("€"), Gen.always("{"), Gen.always("\n"))
    static let any = Gen<Character>.oneOf(Self.gsm, Gen.character(in: "一"..."龥"), Gen.character(in: "😀"..."🙏"))

    static let gsmScalars = Set("abcdefghijklmnopqrstuvwxyz0123456789 €{\n".unicodeScalars)

    @Test func countsCoverEveryUnitAndGrowWithTheText() async {
        await propertyCheck(count: 500, input: Gen<String>.oneOf(Self.gsm.string(of: 0...500), Self.any.string(of: 0...300)), Self.any.string(of: 0...40)) { text, more in
            let s = SMSSegments(text)
            let (single, multi) = s.encoding == .gsm7 ? (160, 153) : (70, 67)
            #expect(s.count >= 1)
            #expect((s.count == 1) == (s.units <= single))
            if s.count > 1 {
                #expect(s.units <= s.count * multi)                  // room for every unit
                #expect(s.units > (s.count - 1) * multi - (s.count - 1))  // and no wasted part (≤ 1 unit lost per split)
            }
            #expect(SMSSegments(text + more).count >= s.count)
            #expect((s.encoding == .gsm7) == text.unicodeScalars.allSatisfy(Self.gsmScalars.contains))
        }
    }
}

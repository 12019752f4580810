import HeraldCore
import Testing

@Suite struct SMSSegmentsTests {
    @Test(arguments: [
        (String(repeating: "a", count: 160), SMSSegments.Encoding.gsm7, 160, 1),
        (String(repeating: "a", count: 161), .gsm7, 161, 2),
        (String(repeating: "a", count: 306), .gsm7, 306, 2),
        (String(repeating: "a", count: 307), .gsm7, 307, 3),
        ("", .gsm7, 0, 1),
        ("Hello @£$ ÄÖÑÜ §¿ à", .gsm7, 19, 1),
    ])
    func pureGSM7(text: String, encoding: SMSSegments.Encoding, units: Int, count: Int) {
        #expect(SMSSegments(text) == SMSSegments(encoding: encoding, units: units, count: count))
    }

    @Test func extensionCharactersCountTwiceAndAreNeverSplit() {
        #expect(SMSSegments(String(repeating: "€", count: 80)) == SMSSegments(encoding: .gsm7, units: 160, count: 1))
        #expect(SMSSegments(String(repeating: "a", count: 159) + "€").count == 2)     // 161 septets
        #expect(SMSSegments("{[~]}|^\\").units == 16)
        // 152 plain septets then an escape pair: the pair does not fit in part one's last septet.
        let text = String(repeating: "a", count: 152) + "€" + String(repeating: "a", count: 152)
        #expect(SMSSegments(text) == SMSSegments(encoding: .gsm7, units: 306, count: 3))
    }

    @Test func chineseIsUCS2() {
        #expect(SMSSegments(String(repeating: "续", count: 70)) == SMSSegments(encoding: .ucs2, units: 70, count: 1))
        #expect(SMSSegments(String(repeating: "续", count: 71)).count == 2)
        #expect(SMSSegments(String(repeating: "续", count: 134)).count == 2)
        #expect(SMSSegments(String(repeating: "续", count: 135)).count == 3)
        #expect(SMSSegments("【Acme】您的续约将于12月23日到期").encoding == .ucs2)
    }

    @Test func oneNonGSMCharacterSwitchesTheWholeMessage() {
        let text = String(repeating: "a", count: 69) + "’"     // a curly quote is not GSM-7
        #expect(SMSSegments(text) == SMSSegments(encoding: .ucs2, units: 70, count: 1))
    }

    @Test func emojiOutsideTheBMPCountTwoAndAreNotSplit() {
        #expect(SMSSegments("👍").units == 2)
        #expect(SMSSegments(String(repeating: "😀", count: 35)) == SMSSegments(encoding: .ucs2, units: 70, count: 1))
        #expect(SMSSegments(String(repeating: "😀", count: 36)).count == 2)
        // 66 units then an emoji: the surrogate pair moves whole to part two.
        let text = String(repeating: "续", count: 66) + "😀" + String(repeating: "续", count: 66)
        #expect(SMSSegments(text) == SMSSegments(encoding: .ucs2, units: 134, count: 3))
    }
}

/// How many SMS parts a text costs: GSM-7 when every character is in the GSM 03.38 basic set or
/// its extension table (extension characters take two septets, and an escape pair is never split
/// across parts), UCS-2 otherwise (characters outside the BMP, such as most emoji, take two
/// UTF-16 units). One part holds 160 septets or 70 UCS-2 units; concatenated parts lose room to
/// the 6-byte header and hold 153 and 67.
public struct SMSSegments: Sendable, Equatable {
    public enum Encoding: String, Sendable, Equatable {
        case gsm7 = "GSM-7"
        case ucs2 = "UCS-2"
    }

    public var encoding: Encoding
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    public var units: Int
    public var count: Int

    public init(encoding: Encoding, units: Int, count: Int) {
        self.encoding = encoding
        self.units = units
        self.count = count
    }

    static let basic: Set<Character> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
    static let extended: Set<Character> = Set("^{}\\[~]|€\u{0C}")

    public init(_ text: String) {
        // Characters are grapheme clusters; GSM-7 membership is decided per Unicode scalar, so
        // "\r\n" (one Character) counts as two septets.
        let scalars = text.unicodeScalars.map(Character.init)
        if scalars.allSatisfy({ Self.basic.contains($0) || Self.extended.contains($0) }) {
            encoding = .gsm7
            let sizes = scalars.map { Self.extended.contains($0) ? 2 : 1 }
            units = sizes.reduce(0, +)
            count = Self.parts(sizes: sizes, single: 160, multi: 153)
        } else {
            encoding = .ucs2
            let sizes = text.unicodeScalars.map { $0.value > 0xFFFF ? 2 : 1 }
            units = sizes.reduce(0, +)
            count = Self.parts(sizes: sizes, single: 70, multi: 67)
        }
    }

    /// Packs characters into parts without splitting one (an escape pair or a surrogate pair).
    private static func parts(sizes: [Int], single: Int, multi: Int) -> Int {
        let total = sizes.reduce(0, +)
        if total == 0 { return 1 }
        if total <= single { return 1 }
        var parts = 1
        var used = 0
        for size in sizes {
            if used + size > multi {
                parts += 1
                used = 0
            }
            used += size
        }
        return parts
    }
}

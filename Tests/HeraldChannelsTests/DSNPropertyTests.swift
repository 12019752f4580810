import Foundation
import HeraldCore
import PropertyBased
import Synchronization
import Testing

@testable import HeraldChannels

/// Anyone can mail the bounce address, so `herald bounce` and `POST /v1/bounces` read hostile
/// reports: a real Postfix report cut, spliced and sprinkled with MIME syntax, control characters
/// and invalid UTF-8 is read without a crash, and whatever it yields is safe to show and to store.
@Suite struct DSNPropertyTests {
    /// Pieces that upset MIME readers: boundaries, parameters, encodings, folds, quotes, controls.
    static let pieces: [[UInt8]] = [
        "\r\n", "\n", "\r", "\n\n", "--B1A2C3.1733560000/relay.acme.example", "--B1A2C3.1733560000/relay.acme.example--",
        "Content-Type: multipart/report; boundary=\"", "Content-Type: message/delivery-status\r\n\r\n",
        "Content-Transfer-Encoding: base64\r\n", "Content-Transfer-Encoding: quoted-printable\r\n", "=\n", "=4", "=ZZ",
        ";", "\"", "=?UTF-8?B?", "\u{1B}]0;owned\u{07}", "\u{1B}[2J", "\u{9B}", "\u{0}", "Final-Recipient: rfc822;",
        "Status: 5.", "Action: failed\r\n", "Diagnostic-Code: smtp; 550", "\t", " ", "<", ">", "@", "dlv_",
        "Message-ID: <dlv_01KC0Z3M5N6P7Q8R9S0T1V2W3X@x>\r\n", String(repeating: "A", count: 3_000), "续约", "😀",
    ].map { Array($0.utf8) } + [[0xFF], [0xC2], [0xE2, 0x80], [0xF0, 0x9F]]

    /// One edit: at a position (a fraction of the length), delete a span, insert a piece, or cut.
    enum Edit: Sendable { case delete(Int, Int), insert(Int, Int), cut(Int) }

    static let edit = Gen<Edit>.oneOf(
        Gen.int(in: 0...9_999).map { Edit.cut($0) },
        zip(Gen.int(in: 0...9_999), Gen.int(in: 1...400)).map { Edit.delete($0, $1) },
        zip(Gen.int(in: 0...9_999), Gen.int(in: 0...(pieces.count - 1))).map { Edit.insert($0, $1) },
        zip(Gen.int(in: 0...9_999), Gen.int(in: 0...(pieces.count - 1))).map { Edit.insert($0, $1) }
    )

    static func apply(_ edits: [Edit], to original: [UInt8]) -> [UInt8] {
        var bytes = original
        for edit in edits {
            func at(_ fraction: Int) -> Int { bytes.isEmpty ? 0 : fraction * bytes.count / 10_000 }
            switch edit {
            case .cut(let f): bytes.removeSubrange(at(f)...)
            case .delete(let f, let n): let start = at(f); bytes.removeSubrange(start..<min(start + n, bytes.count))
            case .insert(let f, let piece): bytes.insert(contentsOf: pieces[piece], at: at(f))
            }
        }
        return bytes
    }

    static func isSafe(_ text: String) -> Bool {
        !text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    @Test func mangledReportsAreReadWithoutCrashingAndYieldOnlySafeText() async {
        let original = Array(DSNReportTests.postfix().utf8)
        let reports = Atomic<Int>(0)
        await propertyCheck(count: 400, input: Self.edit.array(of: 1...12)) { edits in
            let bytes = Self.apply(edits, to: original)
            guard let report = DSNReport.parse(bytes) else { return }
            reports.add(1, ordering: .relaxed)
            #expect(!report.recipients.isEmpty)
            for recipient in report.recipients {
                #expect(Self.isSafe(recipient.detail) && Self.isSafe(recipient.address))
                #expect(recipient.detail.count <= 560)
            }
            if let id = report.deliveryID { #expect(HeraldID.isValid(id, kind: .delivery)) }
        }
        // The edits are small enough that many mangled reports still parse: the checks above ran.
        #expect(reports.load(ordering: .relaxed) >= 10)   // ~40–60 of 400 in practice
    }

    @Test func aHostileDiagnosticReachesNoTerminal() throws {
        let report = DSNReportTests.postfix().replacingOccurrences(
            of: "Diagnostic-Code: smtp; 550 5.1.1", with: "Diagnostic-Code: smtp; 550 5.1.1 \u{1B}]0;owned\u{07}\u{1B}[2J")
        let parsed = try #require(DSNReport.parse(Array(report.utf8)))
        let detail = try #require(parsed.recipients.first?.detail)
        #expect(Self.isSafe(detail) && detail.contains("]0;owned"))
    }

    @Test func randomBytesAreNoReport() async {
        await propertyCheck(count: 200, input: Gen.uint8().array(of: 0...2_000)) { bytes in
            #expect(DSNReport.parse(bytes) == nil || DSNReport.parse(bytes)?.recipients.isEmpty == false)
        }
    }
}

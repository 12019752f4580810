import Foundation
import HeraldCore
import Testing

@testable import HeraldChannels

@Suite struct DSNReportTests {
    static let delivery = "dlv_01KC0Z3M5N6P7Q8R9S0T1V2W3X"

    /// As Postfix writes one (CRLF, a folded diagnostic, the original headers returned).
    static func postfix(status: String = "5.1.1", action: String = "failed", messageID: String = "<\(delivery)@mail.acme.example>")
        -> String
    {
        """
        Return-Path: <>\r
        From: MAILER-DAEMON@relay.acme.example (Mail Delivery System)\r
        To: bounces@acme.example\r
        Subject: Undelivered Mail Returned to Sender\r
        MIME-Version: 1.0\r
        Content-Type: multipart/report; report-type=delivery-status;\r
        \tboundary="B1A2C3.1733560000/relay.acme.example"\r
        \r
        This is a MIME-encapsulated message.\r
        \r
        --B1A2C3.1733560000/relay.acme.example\r
        Content-Description: Notification\r
        Content-Type: text/plain; charset=us-ascii\r
        \r
        I'm sorry to have to inform you that your message could not be delivered.\r
        \r
        --B1A2C3.1733560000/relay.acme.example\r
        Content-Description: Delivery report\r
        Content-Type: message/delivery-status\r
        \r
        Reporting-MTA: dns; relay.acme.example\r
        X-Postfix-Queue-ID: B1A2C3\r
        Arrival-Date: Mon,  7 Dec 2026 06:00:00 +0000 (UTC)\r
        \r
        Final-Recipient: rfc822; Gone@Client.example\r
        Original-Recipient: rfc822;gone@client.example\r
        Action: \(action)\r
        Status: \(status)\r
        Remote-MTA: dns; mx.client.example\r
        Diagnostic-Code: smtp; 550 5.1.1 <gone@client.example>: Recipient address\r
            rejected: User unknown in virtual mailbox table\r
        \r
        --B1A2C3.1733560000/relay.acme.example\r
        Content-Description: Undelivered Message Headers\r
        Content-Type: text/rfc822-headers\r
        \r
        From: Acme <cs@acme.example>\r
        To: gone@client.example\r
        Subject: Welcome\r
        Message-ID: \(messageID)\r
        \r
        --B1A2C3.1733560000/relay.acme.example--\r

        """
    }

    @Test func aPostfixReportNamesTheDeliveryAndThePermanentFailure() throws {
        let report = try #require(DSNReport.parse(Array(Self.postfix().utf8)))
        #expect(report.deliveryID == Self.delivery && report.reportingMTA == "dns; relay.acme.example")
        let recipient = try #require(report.recipients.first)
        #expect(report.recipients.count == 1)
        #expect(recipient.address == "Gone@Client.example" && recipient.originalAddress == "gone@client.example")
        #expect(recipient.action == "failed" && recipient.status == "5.1.1" && recipient.isPermanentFailure && recipient.refusesAddress)
        #expect(recipient.diagnostic == "smtp; 550 5.1.1 <gone@client.example>: Recipient address rejected: User unknown in virtual mailbox table")
        #expect(recipient.detail.hasPrefix("DSN failed 5.1.1: smtp; 550 5.1.1"))
    }

    @Test func delaysAndSoftFailuresAreNotHardBounces() throws {
        let delayed = try #require(DSNReport.parse(Array(Self.postfix(status: "4.4.1", action: "delayed").utf8)))
        #expect(delayed.recipients.map(\.isPermanentFailure) == [false])
        let soft = try #require(DSNReport.parse(Array(Self.postfix(status: "4.2.2 (mailbox full)").utf8)))
        #expect(soft.recipients.first?.status == "4.2.2" && soft.recipients.first?.isPermanentFailure == false)
        // Permanent, but not the address's fault: the delivery fails, the address stays.
        let spam = try #require(DSNReport.parse(Array(Self.postfix(status: "5.7.1").utf8)))
        #expect(spam.recipients.first?.isPermanentFailure == true && spam.recipients.first?.refusesAddress == false)
        let sender = try #require(DSNReport.parse(Array(Self.postfix(status: "5.1.8").utf8)))
        #expect(sender.recipients.first?.refusesAddress == false)
    }

    @Test func aMessageIDThatIsNotADeliveryNamesNone() throws {
        let report = try #require(DSNReport.parse(Array(Self.postfix(messageID: "<CAF=abc@mail.gmail.com>").utf8)))
        #expect(report.deliveryID == nil && report.recipients.count == 1)
    }

    @Test func aBase64StatusPartAndAReturnedMessageAreRead() throws {
        let status = Data("Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; a@b.example\nAction: failed\nStatus: 5.2.1\n".utf8)
            .base64EncodedString()
        let text = """
            Content-Type: multipart/report; report-type=delivery-status; boundary=XYZ

            --XYZ
            Content-Type: message/delivery-status
            Content-Transfer-Encoding: base64

            \(status)
            --XYZ
            Content-Type: message/rfc822

            Message-ID: <\(Self.delivery)@m.example>
            Subject: hi

            body
            --XYZ--
            """
        let report = try #require(DSNReport.parse(Array(text.utf8)))
        #expect(report.deliveryID == Self.delivery)
        #expect(report.recipients.map(\.address) == ["a@b.example"] && report.recipients.first?.isPermanentFailure == true)
    }

    @Test func deepNestingIsNotFollowed() {
        // A report 200 multiparts down is not looked for (a hostile message could nest deep enough
        // to overflow the stack of a recursive reader).
        var text = "Content-Type: message/delivery-status\n\nReporting-MTA: x\n\nFinal-Recipient: rfc822; a@b.example\nAction: failed\nStatus: 5.1.1\n"
        for level in 0..<200 {
            text = "Content-Type: multipart/mixed; boundary=b\(level)\n\n--b\(level)\n\(text)\n--b\(level)--\n"
        }
        #expect(DSNReport.parse(Array(text.utf8)) == nil)
    }

    @Test func whatIsNotAReportIsNil() {
        let autoReply = "From: li@client.example\r\nSubject: Out of office\r\nContent-Type: text/plain\r\n\r\nBack Monday.\r\n"
        #expect(DSNReport.parse(Array(autoReply.utf8)) == nil)
        #expect(DSNReport.parse([]) == nil)
        #expect(DSNReport.parse(Array(repeating: 0xFF, count: 64)) == nil)
        // A report part without a recipient group says nothing about anybody.
        let empty = "Content-Type: multipart/report; boundary=Q\n\n--Q\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n--Q--\n"
        #expect(DSNReport.parse(Array(empty.utf8)) == nil)
    }
}

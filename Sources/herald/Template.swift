import ArgumentParser
import Foundation
import HeraldCore

struct Template: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List and preview message templates.", subcommands: [List.self, Render.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List templates with their channels and locales.")
        @OptionGroup var options: GlobalOptions
        @Flag(help: "Print as JSON.") var json = false

        func run() async throws {
            try await CLIFailure.guarding {
                let library = try options.loadConfig().loadTemplates()
                if json {
                    print(JSONValue.array(library.all.map {
                        .object(["name": .string($0.name), "channel": .string($0.channel), "locale": .string($0.locale),
                                 "tracking": .bool($0.tracking), "path": .string($0.path)])
                    }).canonicalText)
                    return
                }
                var table = TextTable("TEMPLATE", "CHANNEL", "LOCALE", "TRACKING")
                for file in library.all { table.add(file.name, file.channel, file.locale, file.tracking ? "on" : "off") }
                print(library.all.isEmpty ? "no templates" : table.render())
            }
        }
    }

    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render a template with data, as a channel would send it.",
            discussion: "Example: herald template render welcome --channel email --locale zh-CN --data '{\"first_name\":\"李雷\"}'")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Template name.") var name: String
        @Option(help: "Channel kind: email, webhook, wecom, dingtalk, feishu, sms, phone or voice.") var channel: String = "email"
        @Option(help: "Locale, e.g. zh-CN or en (falls back like delivery does).") var locale: String?
        @Option(help: "Data as a JSON object, or @FILE.") var data: String = "{}"
        @Flag(help: "Print subject, text and html as JSON.") var json = false

        func validate() throws {
            guard ChannelKind(rawValue: channel) != nil else {
                throw ValidationError("--channel must be one of: " + ChannelKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }

        func run() async throws {
            try await CLIFailure.guarding {
                let library = try options.loadConfig().loadTemplates()
                guard let kind = ChannelKind(rawValue: channel) else { throw ExitCode(64) }
                guard library.file(name: name, channel: channel, locale: locale) != nil else {
                    throw HeraldError.invalid(field: "template", "no \(channel) template '\(name)' for locale \(locale ?? library.defaultLocale)")
                }
                let content = try MessageRenderer(library: library).render(
                    template: name, subject: nil, text: nil, html: nil, data: try GlobalOptions.readData(data),
                    locale: locale, channel: kind)
                if json {
                    print(JSONValue.object([
                        "subject": content.subject.map(JSONValue.string) ?? .null,
                        "text": content.text.map(JSONValue.string) ?? .null,
                        "html": content.html.map(JSONValue.string) ?? .null,
                    ]).canonicalText)
                    return
                }
                if let subject = content.subject { print("Subject: \(subject)\n") }
                if let text = content.text { print("--- text\n\(text)\n") }
                if let html = content.html { print("--- html\n\(html)") }
            }
        }
    }
}

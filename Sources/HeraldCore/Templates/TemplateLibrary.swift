import Foundation
import Mustache

/// Every template under one folder, parsed once at start: `<folder>/<name>/<channel>.<locale>.mustache`
/// (plus `email.<locale>.text.mustache` for an email's own text part).
public struct TemplateLibrary: Sendable {
    /// Keyed by "name/channel/locale".
    private let files: [String: TemplateFile]
    /// The locale used when a message asks for one a template does not have.
    public let defaultLocale: String

    public init(files: [TemplateFile] = [], defaultLocale: String = "en") {
        self.files = Dictionary(files.map { ("\($0.name)/\($0.channel)/\($0.locale)", $0) }, uniquingKeysWith: { a, _ in a })
        self.defaultLocale = defaultLocale
    }

    /// Template names, sorted.
    public var names: [String] { Array(Set(files.values.map(\.name))).sorted() }

    /// All files, sorted by name, channel, locale.
    public var all: [TemplateFile] { files.values.sorted { ($0.name, $0.channel, $0.locale) < ($1.name, $1.channel, $1.locale) } }

    /// Reads and parses every template; all problems are reported together.
    public static func load(directory: String, defaultLocale: String = "en") throws(HeraldError) -> TemplateLibrary {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else {
            return TemplateLibrary(defaultLocale: defaultLocale)
        }
        var files: [TemplateFile] = []
        var texts: [String: (String, String)] = [:]  // key → (text, path)
        var problems: [String] = []
        for name in names.sorted() {
            let folder = directory + "/" + name
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else { continue }
            guard MessageRequestParser.isTemplateName(name) else {
                problems.append("\(folder): template names may use a-z, 0-9, '-' and '_' only")
                continue
            }
            for file in ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).sorted() where file.hasSuffix(".mustache") {
                let path = folder + "/" + file
                let parts = file.dropLast(".mustache".count).split(separator: ".")
                guard parts.count == 2 || (parts.count == 3 && parts[2] == "text"), MessageRequestParser.isLocale(String(parts[1])) else {
                    problems.append("\(path): expected <channel>.<locale>.mustache, e.g. email.zh-CN.mustache")
                    continue
                }
                guard let data = fm.contents(atPath: path) else {
                    problems.append("\(path): cannot read")
                    continue
                }
                let text = String(decoding: data, as: UTF8.self)
                let channel = String(parts[0])
                let locale = String(parts[1])
                if parts.count == 3 {
                    texts["\(name)/\(channel)/\(locale)"] = (text, path)
                    continue
                }
                do {
                    files.append(try TemplateFile.parse(text, name: name, channel: channel, locale: locale, path: path))
                } catch {
                    problems.append(error.detail)
                }
            }
        }
        for (key, (text, path)) in texts {
            guard let index = files.firstIndex(where: { "\($0.name)/\($0.channel)/\($0.locale)" == key }) else {
                problems.append("\(path): a text part without its template (\(key.replacingOccurrences(of: "/", with: ".")).mustache)")
                continue
            }
            do { files[index].textBody = try TemplateFile.compileText(text, path: path) } catch { problems.append(error.detail) }
        }
        guard problems.isEmpty else { throw .configuration(problems.sorted().joined(separator: "\n")) }
        return TemplateLibrary(files: files, defaultLocale: defaultLocale)
    }

    /// The file for a template on a channel kind in the best available locale: exact, then the
    /// language alone (`zh-CN` → `zh`), then a region variant of it (`zh` → `zh-CN`), then the default locale.
    public func file(name: String, channel: String, locale: String?) -> TemplateFile? {
        if let locale {
            if let file = files["\(name)/\(channel)/\(locale)"] { return file }
            if let language = locale.split(separator: "-").first.map(String.init) {
                if let file = files["\(name)/\(channel)/\(language)"] { return file }
                let variants = files.values.filter { $0.name == name && $0.channel == channel && $0.locale.hasPrefix(language + "-") }
                if let file = variants.min(by: { $0.locale < $1.locale }) { return file }
            }
        }
        return files["\(name)/\(channel)/\(defaultLocale)"]
    }

    /// Whether a template of this name exists at all.
    public func has(name: String) -> Bool { files.values.contains { $0.name == name } }

    /// Locales a template has on a channel, for error messages.
    public func locales(name: String, channel: String) -> [String] {
        files.values.filter { $0.name == name && $0.channel == channel }.map(\.locale).sorted()
    }
}

import Foundation
import HeraldCore

/// The dashboard's two interface languages, negotiated from `Accept-Language` unless the user
/// picked one (the `herald_lang` cookie, set by the language switch).
enum DashboardLanguage: String, Sendable, CaseIterable {
    case en
    case zhCN = "zh-CN"

    /// The best match for an `Accept-Language` header (quality values honoured); English otherwise.
    static func negotiate(_ header: String?) -> DashboardLanguage {
        guard let header else { return .en }
        var best: (DashboardLanguage, Double)? = nil
        for (index, part) in header.split(separator: ",").enumerated() {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            let language: DashboardLanguage? = tag.hasPrefix("zh") ? .zhCN : tag.hasPrefix("en") ? .en : nil
            guard let language, quality > 0 else { continue }
            // Equal qualities keep the order the browser gave.
            let score = quality - Double(index) * 1e-6
            if best == nil || score > best?.1 ?? 0 { best = (language, score) }
        }
        return best?.0 ?? .en
    }

    var strings: [String: String] { DashboardStrings.table(for: self) }

    /// The other language (the switch in the header offers it).
    var other: DashboardLanguage { self == .en ? .zhCN : .en }

    /// The name of the language in itself.
    var nativeName: String { self == .en ? "English" : "简体中文" }
}

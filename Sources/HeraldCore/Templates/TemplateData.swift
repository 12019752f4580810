import Mustache
import Synchronization

/// Template data handed to swift-mustache: JSON objects become ``TemplateObject``s so that a
/// name no enclosing context has is recorded instead of silently rendering as empty text.
enum TemplateData {
    static func convert(_ value: JSONValue, misses: MissRecorder?) -> Any {
        switch value {
        case .null: return JSONNull()
        case .bool(let b): return b
        case .int(let i): return i
        case .double(let d): return d
        case .string(let s): return s
        case .array(let items): return items.map { convert($0, misses: nil) }
        case .object(let fields): return TemplateObject(fields: fields, misses: misses)
        }
    }
}

/// A JSON object as a Mustache context. Only the root object records misses: a nested object is
/// asked first for names that may still resolve further out in the context stack, while the
/// root is asked last, so a miss there means the name exists nowhere.
final class TemplateObject: MustacheParent {
    let fields: [String: JSONValue]
    let misses: MissRecorder?

    init(fields: [String: JSONValue], misses: MissRecorder?) {
        self.fields = fields
        self.misses = misses
    }

    func child(named name: String) -> Any? {
        guard let value = fields[name] else {
            misses?.record(name)
            return nil
        }
        return TemplateData.convert(value, misses: nil)
    }
}

/// JSON `null`: present (no error), renders as nothing, false in sections.
struct JSONNull: MustacheCustomRenderable {
    var renderText: String { "" }
    var isNull: Bool { true }
}

/// Collects the names a render could not resolve.
final class MissRecorder: Sendable {
    private let names = Mutex<[String]>([])

    func record(_ name: String) {
        names.withLock { if !$0.contains(name) { $0.append(name) } }
    }

    var missing: [String] { names.withLock { $0 } }
}

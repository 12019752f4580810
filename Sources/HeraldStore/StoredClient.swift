import HeraldCore

/// A client as both backends store it: the CSM and endpoints as JSON text columns.
public enum StoredClient {
    public static func make(
        id: String, name: String, tier: String, timezone: String?, locale: String?, lifecycleStage: String?,
        csmText: String?, contacts: [Contact], endpointsText: String?, createdAt: Int64, updatedAt: Int64
    ) -> Client {
        var endpoints: [String: String] = [:]
        if let endpointsText, case .object(let map)? = try? JSONValue.parse(Array(endpointsText.utf8)) {
            for (k, v) in map { if case .string(let s) = v { endpoints[k] = s } }
        }
        var csm: CSM? = nil
        if let csmText, let value = try? JSONValue.parse(Array(csmText.utf8)) { csm = ClientJSON.csm(from: value) }
        return Client(
            id: id, name: name, tier: tier, timezone: timezone, locale: locale, lifecycleStage: lifecycleStage, csm: csm,
            contacts: contacts, endpoints: endpoints, createdAt: createdAt, updatedAt: updatedAt)
    }

    /// Contact opt-outs as stored: category names joined by commas.
    public static func optOuts(_ text: String?) -> Set<MessageRequest.Category> {
        Set((text ?? "").split(separator: ",").compactMap { MessageRequest.Category(rawValue: String($0)) })
    }
}

import Foundation
import HeraldCore
import HeraldStore
import Hummingbird
import Logging

/// `/v1/suppressions`: list (scope `read`), add and remove (scope `admin`) entries of the
/// suppression list. Deliveries already recorded `suppressed` stay so when an entry is removed;
/// what is still waiting is checked again when it is claimed.
struct SuppressionRoutes: Sendable {
    let store: any Store
    let logger: Logger

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/v1/suppressions") { request, _ in
            let query = try SuppressionJSON.query(request.uri.queryParameters.map { (String($0.key), String($0.value)) })
            return JSONResponse.make(SuppressionJSON.page(try await store.suppressions(matching: query), limit: query.limit))
        }
        router.post("/v1/suppressions") { request, context in
            let entry = try Suppression.request(
                try await RequestBody.json(request, limit: 16 << 10), actor: context.actor, now: Timestamps.now())
            let (stored, created) = try await store.addSuppression(entry, actor: context.actor)
            if created {
                logger.notice(
                    "suppression added",
                    metadata: ["address": "\(stored.address)", "category": "\(stored.category)", "actor": "\(context.actor)"])
            }
            return JSONResponse.make(SuppressionJSON.entry(stored), status: created ? .created : .ok)
        }
        router.delete("/v1/suppressions/:address") { request, context in
            let q = request.uri.queryParameters
            for (key, _) in q where !["category", "force", "reason"].contains(String(key)) {
                throw HeraldError.invalid(field: String(key), "unknown query parameter")
            }
            let category = q.get("category")
            if let category, !Suppression.isCategory(category) {
                throw HeraldError.invalid(field: "category", "must be " + Suppression.categoriesText)
            }
            let force: Bool
            switch q.get("force") {
            case nil, "false": force = false
            case "true": force = true
            default: throw HeraldError.invalid(field: "force", "must be true or false")
            }
            // The path as sent: `%2B` for '+' and `%40` for '@' are decoded here.
            let raw = context.parameters.get("address") ?? ""
            let address = raw.removingPercentEncoding ?? raw
            let reason = try AuditEntry.reason(q.get("reason"))
            let removed = try await store.removeSuppression(
                address: address, category: category, force: force, reason: reason, actor: context.actor, now: Timestamps.now())
            logger.notice(
                "suppression removed",
                metadata: [
                    "address": "\(Suppression.key(address))", "categories": "\(removed.map(\.category).joined(separator: ","))",
                    "actor": "\(context.actor)",
                ])
            return JSONResponse.make(SuppressionJSON.removed(removed))
        }
    }
}

import CoreMetrics
import HTTPTypes
import HeraldCore
import HeraldStore
import Hummingbird
import NIOCore
import Prometheus

/// `GET /metrics`: the Prometheus text format. Counters and histograms come from swift-metrics
/// (bootstrapped with this registry by `herald serve`); gauges of state (queue depth by state,
/// event notices by state) are read from the database at scrape time. Public like `/healthz`:
/// it carries counts, never message content or addresses.
struct MetricsRoutes: Sendable {
    let store: any Store
    let counts: QueueDepthCache
    let registry: PrometheusCollectorRegistry

    // Made per scrape: the descriptor type is not Sendable, so it cannot be a shared constant.
    static var queueDepth: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "herald_queue_depth", unitName: "", helpText: "Deliveries in each state, read from the database at scrape time.")
    }
    static var eventNotices: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "herald_event_notices", unitName: "", helpText: "Event notices to subscriptions in each state.")
    }
    static var apiTokens: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "herald_api_tokens", unitName: "", helpText: "API tokens by status: active, expired, revoked.")
    }
    static var apiTokensExpiring: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "herald_api_tokens_expiring", unitName: "",
            helpText: "Active API tokens whose expiry falls within the window (rotate them: herald token rotate NAME).")
    }
    /// The windows of `herald_api_tokens_expiring`.
    static let expiryWindows: [(label: String, millis: Int64)] = [("7d", 7 * 86_400_000), ("30d", 30 * 86_400_000)]

    func register(on router: Router<HeraldRequestContext>) {
        router.get("/metrics") { _, _ in
            let depth = try await counts.depth(now: Timestamps.now())
            let queueDepth = Self.queueDepth
            for state in DeliveryState.allCases {
                registry.makeGauge(descriptor: queueDepth, labels: [("state", state.rawValue)]).set(Double(depth[state] ?? 0))
            }
            var notices = NoticeCounts()
            for counts in try await store.noticeCounts().values {
                notices.pending += counts.pending
                notices.delivered += counts.delivered
                notices.dead += counts.dead
            }
            let eventNotices = Self.eventNotices
            for (state, n) in [("pending", notices.pending), ("delivered", notices.delivered), ("dead", notices.dead)] {
                registry.makeGauge(descriptor: eventNotices, labels: [("state", state)]).set(Double(n))
            }
            let now = Timestamps.now()
            let tokens = try await store.tokens()
            let apiTokens = Self.apiTokens
            for status in APIToken.Status.allCases {
                let n = tokens.filter { $0.status(at: now) == status }.count
                registry.makeGauge(descriptor: apiTokens, labels: [("status", status.rawValue)]).set(Double(n))
            }
            let apiTokensExpiring = Self.apiTokensExpiring
            for window in Self.expiryWindows {
                let n = tokens.filter { t in t.isActive(at: now) && t.expiresAt.map { $0 - now <= window.millis } ?? false }.count
                registry.makeGauge(descriptor: apiTokensExpiring, labels: [("within", window.label)]).set(Double(n))
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}

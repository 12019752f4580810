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
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}

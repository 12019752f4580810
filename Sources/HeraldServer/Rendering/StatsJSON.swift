import Foundation
import HeraldCore

/// JSON of template statistics (API and `herald stats --json`).
public enum StatsJSON {
    public static func row(_ s: TemplateStats) -> JSONValue {
        .object([
            "template": .string(s.template), "tier": s.tier.isEmpty ? .null : .string(s.tier), "locale": .string(s.locale),
            "channel": .string(s.channel), "deliveries": .int(Int64(s.deliveries)), "sent": .int(Int64(s.sent)),
            "delivered": .int(Int64(s.delivered)), "opened": .int(Int64(s.opened)),
            "machine_opened": .int(Int64(s.machineOpened)), "clicked": .int(Int64(s.clicked)),
            "bounced": .int(Int64(s.bounced)), "failed": .int(Int64(s.failed)),
            "open_rate": rate(s.openRate), "click_rate": rate(s.clickRate), "click_to_open_rate": rate(s.clickToOpenRate),
        ])
    }

    /// A ratio rounded to four places, or null when its denominator is zero.
    static func rate(_ value: Double?) -> JSONValue {
        guard let value else { return .null }
        return .double((value * 10_000).rounded() / 10_000)
    }
}

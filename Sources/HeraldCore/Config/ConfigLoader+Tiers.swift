import TOMLKit

// MARK: - Value tiers (`[tiers.<name>]`).

extension ConfigLoader {
    /// Each `[tiers.<name>]` table: channels, fallback, tracking, quiet hours, escalation and resend
    /// rules. Channel names are checked against the channel files later, by the caller.
    static func parseTiers(_ root: inout TOMLReader) -> [String: TierPlan] {
        var tiers: [String: TierPlan] = [:]
        for name in root.childNames("tiers") {
            var tier = root.grandchild("tiers", name)
            guard MessageRequestParser.isTemplateName(name) else {
                tier.fail("(name)", "tier names may use a-z, 0-9, '-' and '_' only")
                root.merge(tier)
                continue
            }
            var plan = TierPlan(name: name, channels: [])
            if let channels = tier.strings("channels"), !channels.isEmpty { plan.channels = channels } else {
                tier.fail("channels", "required: the channels every message of this tier goes out on")
            }
            plan.fallback = tier.strings("fallback") ?? []
            if let tracking = tier.bool("tracking") { plan.tracking = tracking }
            if let text = tier.string("quiet_hours") {
                if let window = QuietHours(parsing: text) { plan.quietHours = window } else {
                    tier.fail("quiet_hours", "must be HH:MM-HH:MM in the client's time zone, e.g. \"21:00-08:00\"")
                }
            }
            var escalate = tier.child("escalate")
            if escalate.table.count > 0 {
                let after = escalate.duration("after", minimum: 1_000)
                let unless = escalate.string("unless") ?? "opened"
                let to = escalate.string("to")
                if after == nil { escalate.fail("after", "required, e.g. \"24h\"") }
                if to == nil { escalate.fail("to", "required: the channel to escalate through") }
                if !["opened", "clicked"].contains(unless) { escalate.fail("unless", "must be opened or clicked") }
                if let after, let to, let state = DeliveryState(rawValue: unless) {
                    plan.escalation = Escalation(after: after, unless: state, channel: to)
                }
            }
            tier.merge(escalate)
            var resend = tier.child("resend")
            if resend.table.count > 0 {
                var rules = TierResendRules()
                rules.maxPerMessage = resend.int("max_per_message", range: 0...100)
                rules.minInterval = resend.duration("min_interval", minimum: 0)
                plan.resend = rules
            }
            tier.merge(resend)
            root.merge(tier)
            tiers[name] = plan
        }

        return tiers
    }
}

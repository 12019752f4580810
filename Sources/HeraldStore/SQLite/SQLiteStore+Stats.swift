import GRDB
import HeraldCore

// MARK: - Template engagement statistics.

extension SQLiteStore {
    public func templateStats(since: Int64, until: Int64, defaultLocale: String) async throws -> [TemplateStats] {
        try await pool.read { db in
            // Message ids are time-ordered: the period is a primary-key range. Each delivery's events
            // are folded to flags first (one row per delivery), then counted per group.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    WITH picked AS (
                        SELECT m.id, m.template, COALESCE(m.tier, c.tier, '') AS tier, COALESCE(m.locale, c.locale, ?) AS locale
                        FROM messages m LEFT JOIN clients c ON c.id = m.client_id
                        WHERE m.id >= ? AND m.id < ? AND m.template IS NOT NULL
                    ),
                    flags AS (
                        SELECT e.delivery_id,
                            MAX(e.type = 'sent') AS sent,
                            MAX(e.type = 'delivered') AS delivered,
                            MAX(e.type IN ('opened', 'clicked') AND e.actor = 'recipient') AS opened,
                            MAX(e.type = 'opened' AND e.actor = 'machine') AS machine,
                            MAX(e.type = 'clicked' AND e.actor = 'recipient') AS clicked,
                            MAX(e.type = 'bounced') AS bounced
                        FROM picked p JOIN events e ON e.message_id = p.id
                        WHERE e.delivery_id IS NOT NULL
                        GROUP BY e.delivery_id
                    )
                    SELECT p.template, p.tier, p.locale, d.channel,
                        COUNT(*) AS deliveries,
                        COALESCE(SUM(f.sent), 0) AS sent,
                        COALESCE(SUM(f.delivered), 0) AS delivered,
                        COALESCE(SUM(f.opened), 0) AS opened,
                        COALESCE(SUM(f.machine AND NOT f.opened), 0) AS machine_opened,
                        COALESCE(SUM(f.clicked), 0) AS clicked,
                        COALESCE(SUM(f.bounced), 0) AS bounced,
                        SUM(d.state IN ('failed', 'dead', 'expired')) AS failed
                    FROM picked p
                    JOIN deliveries d ON d.message_id = p.id
                    LEFT JOIN flags f ON f.delivery_id = d.id
                    WHERE d.state <> 'suppressed'
                    GROUP BY 1, 2, 3, 4
                    ORDER BY 1, 2, 3, 4
                    """,
                arguments: [
                    defaultLocale, HeraldID.lowerBound(.message, atMillis: since), HeraldID.lowerBound(.message, atMillis: until),
                ])
            return rows.map { row in
                TemplateStats(
                    template: row["template"], tier: row["tier"], locale: row["locale"], channel: row["channel"],
                    deliveries: row["deliveries"], sent: row["sent"], delivered: row["delivered"], opened: row["opened"],
                    machineOpened: row["machine_opened"], clicked: row["clicked"], bounced: row["bounced"], failed: row["failed"])
            }
        }
    }
}

import HeraldCore
import HeraldStore
import PostgresNIO

// MARK: - Template engagement statistics.

extension PostgresStore {
    public func templateStats(since: Int64, until: Int64, defaultLocale: String) async throws -> [TemplateStats] {
        try await read { conn in
            // The same query as SQLite's, with PostgreSQL's booleans (bool_or) and bigint sums.
            try await conn.rows(
                """
                WITH picked AS (
                    SELECT m.id, m.template, COALESCE(m.tier, c.tier, '') AS tier, COALESCE(m.locale, c.locale, \(defaultLocale)) AS locale
                    FROM messages m LEFT JOIN clients c ON c.id = m.client_id
                    WHERE m.id >= \(HeraldID.lowerBound(.message, atMillis: since))
                      AND m.id < \(HeraldID.lowerBound(.message, atMillis: until)) AND m.template IS NOT NULL
                ),
                flags AS (
                    SELECT e.delivery_id,
                        bool_or(e.type = 'sent') AS sent,
                        bool_or(e.type = 'delivered') AS delivered,
                        bool_or(e.type IN ('opened', 'clicked') AND e.actor = 'recipient') AS opened,
                        bool_or(e.type = 'opened' AND e.actor = 'machine') AS machine,
                        bool_or(e.type = 'clicked' AND e.actor = 'recipient') AS clicked,
                        bool_or(e.type = 'bounced') AS bounced
                    FROM picked p JOIN events e ON e.message_id = p.id
                    WHERE e.delivery_id IS NOT NULL
                    GROUP BY e.delivery_id
                )
                SELECT p.template, p.tier, p.locale, d.channel,
                    COUNT(*) AS deliveries,
                    COUNT(*) FILTER (WHERE f.sent) AS sent,
                    COUNT(*) FILTER (WHERE f.delivered) AS delivered,
                    COUNT(*) FILTER (WHERE f.opened) AS opened,
                    COUNT(*) FILTER (WHERE f.machine AND NOT f.opened) AS machine_opened,
                    COUNT(*) FILTER (WHERE f.clicked) AS clicked,
                    COUNT(*) FILTER (WHERE f.bounced) AS bounced,
                    COUNT(*) FILTER (WHERE d.state IN ('failed', 'dead', 'expired')) AS failed
                FROM picked p
                JOIN deliveries d ON d.message_id = p.id
                LEFT JOIN flags f ON f.delivery_id = d.id
                WHERE d.state <> 'suppressed'
                GROUP BY 1, 2, 3, 4
                ORDER BY 1, 2, 3, 4
                """, logger: self.logger
            ).map { row in
                TemplateStats(
                    template: try row["template"], tier: try row["tier"], locale: try row["locale"], channel: try row["channel"],
                    deliveries: try row["deliveries"], sent: try row["sent"], delivered: try row["delivered"],
                    opened: try row["opened"], machineOpened: try row["machine_opened"], clicked: try row["clicked"],
                    bounced: try row["bounced"], failed: try row["failed"])
            }
        }
    }
}

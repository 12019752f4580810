import GRDB
import HeraldCore

/// The versioned schema of the SQLite store. A shipped migration is never edited; add a new one.
enum SQLiteMigrations {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-core") { db in
            // Ids are time-ordered text (msg_…, dlv_…): WITHOUT ROWID keeps rows in id order,
            // so inserts append to the end of one B-tree.
            try db.execute(sql: """
                CREATE TABLE messages (
                    id TEXT PRIMARY KEY NOT NULL,
                    idempotency_key TEXT,
                    fingerprint TEXT NOT NULL,
                    client_id TEXT,
                    template TEXT,
                    subject TEXT,
                    text TEXT,
                    html TEXT,
                    data TEXT NOT NULL,
                    locale TEXT,
                    priority TEXT NOT NULL,
                    category TEXT NOT NULL,
                    send_at INTEGER,
                    expires_at INTEGER,
                    created_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE UNIQUE INDEX messages_idempotency ON messages(idempotency_key) WHERE idempotency_key IS NOT NULL;
                CREATE INDEX messages_client ON messages(client_id, id) WHERE client_id IS NOT NULL;

                CREATE TABLE deliveries (
                    id TEXT PRIMARY KEY NOT NULL,
                    message_id TEXT NOT NULL REFERENCES messages(id),
                    channel TEXT NOT NULL,
                    destination TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    due_at INTEGER NOT NULL,
                    expires_at INTEGER,
                    lease_until INTEGER,
                    lease_owner TEXT,
                    last_error TEXT,
                    provider_id TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX deliveries_due ON deliveries(channel, due_at)
                    WHERE state IN ('scheduled', 'queued', 'retrying');
                CREATE INDEX deliveries_leased ON deliveries(channel, lease_until) WHERE state = 'sending';
                CREATE INDEX deliveries_expiring ON deliveries(expires_at)
                    WHERE expires_at IS NOT NULL AND state IN ('scheduled', 'queued', 'retrying');
                CREATE INDEX deliveries_message ON deliveries(message_id);

                CREATE TABLE attempts (
                    id TEXT PRIMARY KEY NOT NULL,
                    delivery_id TEXT NOT NULL,
                    number INTEGER NOT NULL,
                    started_at INTEGER NOT NULL,
                    duration_ms INTEGER NOT NULL,
                    status_code INTEGER,
                    outcome TEXT NOT NULL,
                    error TEXT,
                    provider_id TEXT
                ) WITHOUT ROWID;
                CREATE INDEX attempts_delivery ON attempts(delivery_id);

                CREATE TABLE events (
                    id TEXT PRIMARY KEY NOT NULL,
                    message_id TEXT NOT NULL,
                    delivery_id TEXT,
                    type TEXT NOT NULL,
                    state TEXT,
                    detail TEXT,
                    actor TEXT,
                    created_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX events_message ON events(message_id);

                -- The client registry (filled by the tiers work): who a client is and who owns it.
                CREATE TABLE clients (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    tier TEXT NOT NULL,
                    timezone TEXT,
                    locale TEXT,
                    lifecycle_stage TEXT,
                    csm TEXT,
                    bots TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE contacts (
                    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
                    id TEXT NOT NULL,
                    name TEXT,
                    email TEXT,
                    phone TEXT,
                    locale TEXT,
                    opt_outs TEXT,
                    PRIMARY KEY (client_id, id)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2-suppressions") { db in
            // Addresses that must not be sent to: hard bounces (category 'all') and unsubscribes
            // (category 'marketing'). Keyed by the lower-cased address.
            try db.execute(sql: """
                CREATE TABLE suppressions (
                    address TEXT NOT NULL,
                    category TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    source TEXT NOT NULL,
                    delivery_id TEXT,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (address, category)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3-api-tokens") { db in
            try db.execute(sql: """
                CREATE TABLE api_tokens (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL UNIQUE,
                    hash TEXT NOT NULL UNIQUE,
                    prefix TEXT NOT NULL,
                    scopes TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v4-routing") { db in
            try db.execute(sql: """
                ALTER TABLE messages ADD COLUMN reply_to TEXT;
                ALTER TABLE clients ADD COLUMN endpoints TEXT;
                CREATE INDEX clients_tier ON clients(tier, id);
                """)
        }
        migrator.registerMigration("v5-escalations") { db in
            try db.execute(sql: """
                ALTER TABLE deliveries ADD COLUMN purpose TEXT;
                CREATE TABLE escalations (
                    id TEXT PRIMARY KEY NOT NULL,
                    message_id TEXT NOT NULL REFERENCES messages(id),
                    due_at INTEGER NOT NULL,
                    unless_state TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    destination TEXT NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending',
                    created_at INTEGER NOT NULL,
                    settled_at INTEGER
                ) WITHOUT ROWID;
                CREATE INDEX escalations_due ON escalations(due_at) WHERE state = 'pending';
                CREATE INDEX escalations_message ON escalations(message_id);
                """)
        }
        migrator.registerMigration("v6-message-tracking") { db in
            try db.execute(sql: "ALTER TABLE messages ADD COLUMN tracking INTEGER NOT NULL DEFAULT 1")
        }
        migrator.registerMigration("v7-fallback") { db in
            try db.execute(sql: "ALTER TABLE deliveries ADD COLUMN fallback TEXT")
        }
        migrator.registerMigration("v8-bots") { db in
            // Robot @-mentions. (Recent sends per robot are found through attempt ids, which sort by time.)
            try db.execute(sql: "ALTER TABLE messages ADD COLUMN mentions TEXT")
        }
        migrator.registerMigration("v9-sms") { db in
            // What an SMS cost. (Receipts name their delivery id, so no index on provider_id is needed.)
            try db.execute(sql: "ALTER TABLE deliveries ADD COLUMN segments INTEGER")
        }
        migrator.registerMigration("v10-tasks") { db in
            // Calls the owning CSM is asked to make (phone deliveries). Few rows: indexes for the
            // lists CSMs and the overdue sweep read.
            try db.execute(sql: """
                CREATE TABLE tasks (
                    id TEXT PRIMARY KEY NOT NULL,
                    delivery_id TEXT NOT NULL REFERENCES deliveries(id),
                    message_id TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    client_id TEXT,
                    client_name TEXT,
                    assignee TEXT,
                    assignee_name TEXT,
                    contact_name TEXT,
                    phone TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    talking_points TEXT NOT NULL,
                    due_at INTEGER NOT NULL,
                    attempt INTEGER NOT NULL,
                    status TEXT NOT NULL DEFAULT 'open',
                    outcome TEXT,
                    note TEXT,
                    created_at INTEGER NOT NULL,
                    completed_at INTEGER,
                    completed_by TEXT,
                    escalated_at INTEGER,
                    UNIQUE (delivery_id, attempt)
                ) WITHOUT ROWID;
                CREATE INDEX tasks_open_due ON tasks(due_at) WHERE status = 'open';
                CREATE INDEX tasks_assignee ON tasks(assignee, status, id);
                CREATE INDEX tasks_client ON tasks(client_id, id);
                """)
        }
        migrator.registerMigration("v11-resend") { db in
            // Resends: the delivery each one repeats, and the guard-rail counters on the message.
            try db.execute(sql: """
                ALTER TABLE deliveries ADD COLUMN resend_of TEXT;
                ALTER TABLE messages ADD COLUMN resend_count INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE messages ADD COLUMN last_resent_at INTEGER;
                """)
        }
        migrator.registerMigration("v12-subscriptions") { db in
            // Event subscriptions and their notice outbox, apart from message deliveries. The relay's
            // position in the event log (ids are time-ordered and written by one writer at a time,
            // so "after the last id read" misses nothing); `idle` marks a position parked while
            // there were no subscribers.
            try db.execute(sql: """
                CREATE TABLE subscriptions (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL UNIQUE,
                    url TEXT NOT NULL,
                    topics TEXT NOT NULL,
                    secret TEXT NOT NULL,
                    allow_private INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE notices (
                    id TEXT PRIMARY KEY NOT NULL,
                    subscription_id TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    delivery_id TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    payload TEXT NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    due_at INTEGER NOT NULL,
                    lease_until INTEGER,
                    last_error TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    UNIQUE (subscription_id, event_id)
                ) WITHOUT ROWID;
                CREATE INDEX notices_due ON notices(due_at) WHERE state = 'pending';
                CREATE INDEX notices_order ON notices(subscription_id, delivery_id, id);
                CREATE INDEX notices_state ON notices(subscription_id, state, id);
                CREATE TABLE relay_position (
                    name TEXT PRIMARY KEY NOT NULL,
                    event_id TEXT NOT NULL,
                    idle INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v13-token-rate-limit") { db in
            // Requests per second an API token may make; NULL: unlimited.
            try db.execute(sql: "ALTER TABLE api_tokens ADD COLUMN rate_limit INTEGER")
        }
        migrator.registerMigration("v14-token-csm") { db in
            // The CSM (their email, as clients name them) a token signs in to the dashboard as; NULL: none.
            try db.execute(sql: "ALTER TABLE api_tokens ADD COLUMN csm TEXT")
        }
        migrator.registerMigration("v15-delivery-counts") { db in
            // Deliveries per state, kept by triggers in the transaction that changes them, so that
            // /readyz, /metrics and systemd's STATUS read a few rows instead of scanning every
            // delivery (a load balancer polls /readyz; at a million rows the scan took a second).
            // Derived data: not exported (StoreTable), rebuilt by the triggers on import.
            // One row per state from the start, so that each trigger is a single UPDATE (a state
            // added later needs its row added by its migration; a test checks every state has one).
            let states = DeliveryState.allCases.map { "('\($0.rawValue)', 0)" }.joined(separator: ", ")
            try db.execute(sql: """
                CREATE TABLE delivery_counts (state TEXT PRIMARY KEY NOT NULL, n INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO delivery_counts (state, n) VALUES \(states);
                INSERT OR IGNORE INTO delivery_counts (state, n) SELECT DISTINCT state, 0 FROM deliveries;
                UPDATE delivery_counts SET n = (SELECT COUNT(*) FROM deliveries d WHERE d.state = delivery_counts.state);
                CREATE TRIGGER delivery_counts_insert AFTER INSERT ON deliveries BEGIN
                    UPDATE delivery_counts SET n = n + 1 WHERE state = NEW.state;
                END;
                CREATE TRIGGER delivery_counts_update AFTER UPDATE OF state ON deliveries
                WHEN OLD.state IS NOT NEW.state BEGIN
                    UPDATE delivery_counts SET n = n + (state = NEW.state) - (state = OLD.state)
                    WHERE state IN (OLD.state, NEW.state);
                END;
                CREATE TRIGGER delivery_counts_delete AFTER DELETE ON deliveries BEGIN
                    UPDATE delivery_counts SET n = n - 1 WHERE state = OLD.state;
                END;
                """)
        }
        migrator.registerMigration("v16-no-temporary-btrees") { db in
            // Writing a delivery built temporary B-trees on every execution: SQLite evaluates an
            // `IN` over three or more constants (the predicate of two partial indexes, evaluated on
            // every insert and state update) and an `IN` driving a key lookup (the count trigger)
            // through one. The same indexes with the predicate as ORs, as SQLiteRows.waiting says
            // it, and the trigger as two single-key updates.
            try db.execute(sql: """
                DROP INDEX deliveries_due;
                DROP INDEX deliveries_expiring;
                CREATE INDEX deliveries_due ON deliveries(channel, due_at)
                    WHERE (state = 'scheduled' OR state = 'queued' OR state = 'retrying');
                CREATE INDEX deliveries_expiring ON deliveries(expires_at)
                    WHERE expires_at IS NOT NULL AND (state = 'scheduled' OR state = 'queued' OR state = 'retrying');
                DROP TRIGGER delivery_counts_update;
                CREATE TRIGGER delivery_counts_update AFTER UPDATE OF state ON deliveries
                WHEN OLD.state IS NOT NEW.state BEGIN
                    UPDATE delivery_counts SET n = n - 1 WHERE state = OLD.state;
                    UPDATE delivery_counts SET n = n + 1 WHERE state = NEW.state;
                END;
                """)
        }
        migrator.registerMigration("v17-engaged-before-recorded") { db in
            // A person's open or click that arrives while the delivery is still `sending` (the
            // provider took it, the outcome is not committed yet) is kept here, and the recorded
            // outcome moves the delivery on to it. Without it an early open was lost: an
            // escalation "unless opened" fired and the message counted as unopened for resends.
            try db.execute(sql: "ALTER TABLE deliveries ADD COLUMN engaged TEXT")
        }
        migrator.registerMigration("v18-inserts-counted-by-the-writer") { db in
            // The insert trigger ran a trigger program for every delivery inserted, ~15–20 % of a
            // batch enqueue's CPU; the code that inserts now adds to the counts once per state and
            // transaction (SQLiteDeliveryCounts). State changes and deletes keep their triggers.
            try db.execute(sql: "DROP TRIGGER delivery_counts_insert")
        }
        migrator.registerMigration("v19-message-actor") { db in
            // Who enqueued a message, on the message: its deliveries' `queued`/`scheduled` events
            // are derived from it when a timeline is read instead of stored as a row each (that row
            // was ~16 % of the writer's time in a batch enqueue). Older messages keep their rows.
            try db.execute(sql: "ALTER TABLE messages ADD COLUMN actor TEXT")
        }
        migrator.registerMigration("v20-message-tier") { db in
            // The client's tier when the message was accepted: template stats count a message under
            // it, not under the tier the client has today. Older messages fall back to today's.
            try db.execute(sql: "ALTER TABLE messages ADD COLUMN tier TEXT")
        }
        migrator.registerMigration("v21-gave-up-index") { db in
            // A redrive walks the deliveries that gave up in id order; without an index it read the
            // whole table (every sent delivery ever kept). Partial, so the deliveries on their way
            // out never enter it: an insert or update evaluates two comparisons and writes nothing.
            try db.execute(sql: """
                CREATE INDEX deliveries_gave_up ON deliveries(id) WHERE (state = 'dead' OR state = 'failed')
                """)
        }
        migrator.registerMigration("v22-suppression-actor") { db in
            // Who added a manual suppression entry (POST /v1/suppressions, herald suppressions add).
            try db.execute(sql: "ALTER TABLE suppressions ADD COLUMN actor TEXT")
        }
        migrator.registerMigration("v23-token-expiry-and-use") { db in
            // A token may expire (herald token create --expires 90d); its last use, to the minute,
            // tells an operator which tokens nobody uses any more.
            try db.execute(sql: "ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER")
            try db.execute(sql: "ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER")
        }
        migrator.registerMigration("v24-token-creator") { db in
            // Who made it (cli:USER, token:NAME): an audit of where an admin token came from. A
            // migration of its own: v23 had already run on databases when this column came.
            try db.execute(sql: "ALTER TABLE api_tokens ADD COLUMN created_by TEXT")
        }
        migrator.registerMigration("v25-audit-log") { db in
            // Who changed what outside a message's own history: tokens, suppressions, subscriptions,
            // clients deleted or handed over, redrives, bulk resends (AuditEntry). Read newest first
            // by id (time-ordered); filtered by subject or actor over a short list, so no more indexes.
            try db.execute(sql: """
                CREATE TABLE audit_log (
                    id TEXT PRIMARY KEY NOT NULL,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    detail TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }
}

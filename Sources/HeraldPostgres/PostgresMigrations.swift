/// The versioned schema of the PostgreSQL store. A shipped migration is never edited; add a new
/// one (and its SQLite twin in `SQLiteMigrations`). Names and columns match the SQLite schema
/// (the baseline equals SQLite's v1…v14), so export and import move rows column for column.
enum PostgresMigrations {
    struct Migration {
        let name: String
        let sql: String
        /// Set for a migration that is one `CREATE INDEX CONCURRENTLY IF NOT EXISTS` of this index:
        /// it runs outside a transaction, so instances already serving keep writing the table while
        /// the index is built (a plain CREATE INDEX blocks every insert and update until it is done).
        var concurrentIndex: String? = nil
    }

    /// Advisory-lock key serialising migrations when several instances start at once ("herald").
    /// Held by ``PostgresMigrator`` for its session, on a connection of its own.
    static let lockKey: Int64 = 0x6865_7261_6C64

    static let all: [Migration] = [
        Migration(name: "v1-baseline-as-sqlite-v14", sql: """
            CREATE TABLE messages (
                id TEXT COLLATE "C" PRIMARY KEY,
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
                send_at BIGINT,
                expires_at BIGINT,
                created_at BIGINT NOT NULL,
                reply_to TEXT,
                tracking BOOLEAN NOT NULL DEFAULT TRUE,
                mentions TEXT,
                resend_count BIGINT NOT NULL DEFAULT 0,
                last_resent_at BIGINT
            );
            CREATE UNIQUE INDEX messages_idempotency ON messages(idempotency_key) WHERE idempotency_key IS NOT NULL;
            CREATE INDEX messages_client ON messages(client_id, id) WHERE client_id IS NOT NULL;

            CREATE TABLE deliveries (
                id TEXT COLLATE "C" PRIMARY KEY,
                message_id TEXT NOT NULL REFERENCES messages(id),
                channel TEXT NOT NULL,
                destination TEXT NOT NULL,
                state TEXT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0,
                due_at BIGINT NOT NULL,
                expires_at BIGINT,
                lease_until BIGINT,
                lease_owner TEXT,
                last_error TEXT,
                provider_id TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                purpose TEXT,
                fallback TEXT,
                segments BIGINT,
                resend_of TEXT
            );
            CREATE INDEX deliveries_due ON deliveries(channel, due_at) WHERE state IN ('scheduled', 'queued', 'retrying');
            CREATE INDEX deliveries_leased ON deliveries(channel, lease_until) WHERE state = 'sending';
            CREATE INDEX deliveries_expiring ON deliveries(expires_at)
                WHERE expires_at IS NOT NULL AND state IN ('scheduled', 'queued', 'retrying');
            CREATE INDEX deliveries_message ON deliveries(message_id);

            CREATE TABLE attempts (
                id TEXT COLLATE "C" PRIMARY KEY,
                delivery_id TEXT NOT NULL,
                number BIGINT NOT NULL,
                started_at BIGINT NOT NULL,
                duration_ms BIGINT NOT NULL,
                status_code BIGINT,
                outcome TEXT NOT NULL,
                error TEXT,
                provider_id TEXT
            );
            CREATE INDEX attempts_delivery ON attempts(delivery_id);

            -- txid: the writing transaction. Ids are made by many processes and commit out of id
            -- order, so the notice relay reads the log in (txid, id) order up to the oldest
            -- transaction still running (see PostgresStore+Subscriptions).
            CREATE TABLE events (
                id TEXT COLLATE "C" PRIMARY KEY,
                message_id TEXT NOT NULL,
                delivery_id TEXT,
                type TEXT NOT NULL,
                state TEXT,
                detail TEXT,
                actor TEXT,
                created_at BIGINT NOT NULL,
                txid xid8 NOT NULL DEFAULT pg_current_xact_id()
            );
            CREATE INDEX events_message ON events(message_id);
            CREATE INDEX events_relay ON events(txid, id);

            CREATE TABLE clients (
                id TEXT COLLATE "C" PRIMARY KEY,
                name TEXT NOT NULL,
                tier TEXT NOT NULL,
                timezone TEXT,
                locale TEXT,
                lifecycle_stage TEXT,
                csm TEXT,
                bots TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                endpoints TEXT
            );
            CREATE INDEX clients_tier ON clients(tier, id);
            CREATE TABLE contacts (
                client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                name TEXT,
                email TEXT,
                phone TEXT,
                locale TEXT,
                opt_outs TEXT,
                PRIMARY KEY (client_id, id)
            );

            CREATE TABLE suppressions (
                address TEXT NOT NULL,
                category TEXT NOT NULL,
                reason TEXT NOT NULL,
                source TEXT NOT NULL,
                delivery_id TEXT,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (address, category)
            );

            CREATE TABLE api_tokens (
                id TEXT COLLATE "C" PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                hash TEXT NOT NULL UNIQUE,
                prefix TEXT NOT NULL,
                scopes TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                revoked_at BIGINT,
                rate_limit BIGINT,
                csm TEXT
            );

            CREATE TABLE escalations (
                id TEXT COLLATE "C" PRIMARY KEY,
                message_id TEXT NOT NULL REFERENCES messages(id),
                due_at BIGINT NOT NULL,
                unless_state TEXT NOT NULL,
                channel TEXT NOT NULL,
                destination TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending',
                created_at BIGINT NOT NULL,
                settled_at BIGINT
            );
            CREATE INDEX escalations_due ON escalations(due_at) WHERE state = 'pending';
            CREATE INDEX escalations_message ON escalations(message_id);

            CREATE TABLE tasks (
                id TEXT COLLATE "C" PRIMARY KEY,
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
                due_at BIGINT NOT NULL,
                attempt BIGINT NOT NULL,
                status TEXT NOT NULL DEFAULT 'open',
                outcome TEXT,
                note TEXT,
                created_at BIGINT NOT NULL,
                completed_at BIGINT,
                completed_by TEXT,
                escalated_at BIGINT,
                UNIQUE (delivery_id, attempt)
            );
            CREATE INDEX tasks_open_due ON tasks(due_at) WHERE status = 'open';
            CREATE INDEX tasks_assignee ON tasks(assignee, status, id);
            CREATE INDEX tasks_client ON tasks(client_id, id);

            CREATE TABLE subscriptions (
                id TEXT COLLATE "C" PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                url TEXT NOT NULL,
                topics TEXT NOT NULL,
                secret TEXT NOT NULL,
                allow_private BOOLEAN NOT NULL DEFAULT FALSE,
                created_at BIGINT NOT NULL
            );
            CREATE TABLE notices (
                id TEXT COLLATE "C" PRIMARY KEY,
                subscription_id TEXT NOT NULL,
                event_id TEXT COLLATE "C" NOT NULL,
                topic TEXT NOT NULL,
                delivery_id TEXT NOT NULL,
                sequence BIGINT NOT NULL,
                payload TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending',
                attempts BIGINT NOT NULL DEFAULT 0,
                due_at BIGINT NOT NULL,
                lease_until BIGINT,
                last_error TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (subscription_id, event_id)
            );
            CREATE INDEX notices_due ON notices(due_at) WHERE state = 'pending';
            CREATE INDEX notices_order ON notices(subscription_id, delivery_id, id);
            CREATE INDEX notices_state ON notices(subscription_id, state, id);
            -- Rate-limit slots shared by every instance: one row per send to a limited destination
            -- (a robot), counting against its limit until `until`.
            CREATE TABLE rate_slots (
                id TEXT COLLATE "C" PRIMARY KEY,
                key TEXT NOT NULL,
                until BIGINT NOT NULL
            );
            CREATE INDEX rate_slots_key ON rate_slots(key, until);

            -- The relay's position: the last event read, in (txid, id) order, and the snapshot taken
            -- when it was last parked at the end of the log (what it showed is history, never relayed).
            CREATE TABLE relay_position (
                name TEXT PRIMARY KEY,
                txid xid8 NOT NULL,
                event_id TEXT COLLATE "C" NOT NULL,
                parked pg_snapshot NOT NULL,
                idle BOOLEAN NOT NULL
            );
            """),
        // An open or click that arrives while the delivery is still `sending`; see SQLite's v17.
        Migration(name: "v2-engaged-before-recorded", sql: "ALTER TABLE deliveries ADD COLUMN engaged TEXT"),
        // Who enqueued a message; its enqueue events are derived from it (see SQLite's v19).
        Migration(name: "v3-message-actor", sql: "ALTER TABLE messages ADD COLUMN actor TEXT"),
        // The client's tier when the message was accepted (see SQLite's v20).
        Migration(name: "v4-message-tier", sql: "ALTER TABLE messages ADD COLUMN tier TEXT"),
        // What a redrive walks: the deliveries that gave up, in id order (see SQLite's v21).
        Migration(
            name: "v5-gave-up-index",
            sql: """
                CREATE INDEX CONCURRENTLY IF NOT EXISTS deliveries_gave_up ON deliveries(id) WHERE state IN ('dead', 'failed')
                """,
            concurrentIndex: "deliveries_gave_up"),
        // Who added a manual suppression entry (see SQLite's v22).
        Migration(name: "v6-suppression-actor", sql: "ALTER TABLE suppressions ADD COLUMN actor TEXT"),
        // A token's expiry and its last use, to the minute (see SQLite's v23).
        Migration(
            name: "v7-token-expiry-and-use",
            sql: "ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT, ADD COLUMN last_used_at BIGINT"),
        // Who made a token (see SQLite's v24).
        Migration(name: "v8-token-creator", sql: "ALTER TABLE api_tokens ADD COLUMN created_by TEXT"),
        // Who changed what outside a message's own history (see SQLite's v25).
        Migration(
            name: "v9-audit-log",
            sql: """
                CREATE TABLE audit_log (
                    id TEXT COLLATE "C" PRIMARY KEY,
                    at BIGINT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    detail TEXT NOT NULL
                )
                """),
    ]
}

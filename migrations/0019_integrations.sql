-- Webhooks (issue 16): per-site endpoints, the events they were sent and one delivery per
-- event and endpoint. Any replica sends: the sender claims due deliveries with SKIP LOCKED.
CREATE TABLE webhook_endpoints (
    id              uuid PRIMARY KEY,
    site_id         uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    url             text NOT NULL,
    description     text NOT NULL DEFAULT '',
    kinds           text[] NOT NULL,
    secret          text NOT NULL,
    enabled         boolean NOT NULL DEFAULT true,
    disabled_reason text NOT NULL DEFAULT '',
    disabled_at     timestamptz,
    failing_since   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_site_idx ON webhook_endpoints (site_id, created_at);

-- The body of each event as webhooks send it, once however many endpoints receive it. Its
-- primary key is the consumer's guard: an event delivered twice by the stream adds nothing.
CREATE TABLE webhook_events (
    event_id   uuid PRIMARY KEY,
    site_id    uuid NOT NULL,
    kind       text NOT NULL,
    body       bytea NOT NULL,
    event_at   timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY,
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        uuid NOT NULL REFERENCES webhook_events (event_id) ON DELETE CASCADE,
    state           text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_attempt_at timestamptz,
    last_status     integer NOT NULL DEFAULT 0,
    last_error      text NOT NULL DEFAULT '',
    delivered_at    timestamptz,
    -- Retries end a day after this: the event's arrival, or the last "send again".
    retry_from      timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (endpoint_id, event_id)
);
-- The sender's claim reads pending deliveries by due time; the log reads an endpoint's newest.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state = 'PENDING';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);

-- Importers (issue 16): every thread, comment and author taken from another system is keyed
-- by its site, source (disqus, wxr, coral, remark42) and ID there, so an import run twice
-- adds nothing, and a reply finds its parent's comment. For authors, email is the address
-- the reader may claim the unclaimed account by; it is never shown.
CREATE TABLE import_keys (
    site_id     uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    source      text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('thread', 'comment', 'author')),
    external_id text NOT NULL,
    local_id    uuid NOT NULL,
    email       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- external_id first: a batch looks up hundreds of IDs with "external_id = ANY(...)",
    -- which this makes index probes. Keyed (site_id, source, kind, …), a table grown since
    -- its last ANALYZE was filtered row by row (0.5 s a batch at 140,000 keys).
    PRIMARY KEY (external_id, kind, source, site_id)
);
-- The threads of one import, whose stories FinishImport recounts.
CREATE INDEX import_keys_threads_idx ON import_keys (site_id, source, local_id) WHERE kind = 'thread';
CREATE INDEX import_keys_email_idx ON import_keys (lower(email)) WHERE kind = 'author' AND email <> '';

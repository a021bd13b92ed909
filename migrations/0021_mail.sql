-- The outgoing mail queue, shared by every replica. A replica claims a due row with FOR
-- UPDATE SKIP LOCKED, hands it to the mail server, and marks it sent in the same
-- transaction, so no two replicas send the same mail.
CREATE TABLE mail (
    id              uuid PRIMARY KEY,
    to_address      text NOT NULL,
    subject         text NOT NULL,
    text_body       text NOT NULL,
    html_body       text NOT NULL DEFAULT '',
    headers         jsonb NOT NULL DEFAULT '{}',
    -- A consumer that sees the same event twice queues its mail once.
    dedupe_key      text UNIQUE,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    failed_at       timestamptz
);

-- What the senders poll: mails neither sent nor given up, by when they are due.
CREATE INDEX mail_due ON mail (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- When the account's current address was confirmed by following a mailed link.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- Single-use secrets sent by mail (verification, password reset, email change), stored by
-- their SHA-256 hash only.
CREATE TABLE account_tokens (
    hash       bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('verify', 'reset', 'email_change_new', 'email_change_old')),
    email      text NOT NULL,
    change_id  uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);
CREATE INDEX account_tokens_change_idx ON account_tokens (change_id) WHERE change_id IS NOT NULL;

-- Notifications kept for the reader's bell, one per event, recipient and kind.
CREATE TABLE notifications (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    event_id   uuid NOT NULL,
    site_id    uuid,
    story_id   uuid,
    comment_id uuid,
    actor_id   uuid,
    detail     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz,
    UNIQUE (event_id, user_id, kind)
);
-- The bell's page (newest first, by time-ordered ID) and its unread count.
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

-- A reader's delivery per kind (absent: WIDGET) and mail language.
CREATE TABLE notification_settings (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    deliveries jsonb NOT NULL DEFAULT '{}',
    language   text NOT NULL DEFAULT ''
);

-- A notification mailed in a digest is not mailed in the next one.
ALTER TABLE notifications ADD COLUMN digested_at timestamptz;

-- When each reader's daily or weekly digest is next due; a row exists while the reader has
-- chosen that digest for some kind. Every replica runs the digest job: it claims due rows
-- with FOR UPDATE SKIP LOCKED and moves next_at in the transaction that queues the mail.
CREATE TABLE notification_digests (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period  text NOT NULL CHECK (period IN ('DIGEST_DAILY', 'DIGEST_WEEKLY')),
    next_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, period)
);
CREATE INDEX notification_digests_due_idx ON notification_digests (next_at);

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

-- What moderators impose on users, and what they note about them.
CREATE TABLE user_sanctions (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- NULL: on every site (admins only).
    site_id         uuid REFERENCES sites (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('BAN', 'SUSPEND', 'PREMOD', 'WARN', 'MESSAGE')),
    message         text NOT NULL DEFAULT '',
    moderator_id    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    revoked_at      timestamptz,
    acknowledged_at timestamptz
);
CREATE INDEX user_sanctions_user_idx ON user_sanctions (user_id, created_at DESC);

CREATE TABLE user_notes (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    site_id      uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    moderator_id uuid REFERENCES users (id) ON DELETE SET NULL,
    body         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_notes_user_idx ON user_notes (user_id, site_id, created_at DESC);

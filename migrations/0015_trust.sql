-- Trust signals and levels (issue 12). Signal tables carry no foreign keys: events about a
-- user or site deleted since must still apply, in order, without stalling the consumer. The ledger is every event the trust consumer applied:
-- its primary key is the consumer's guard, and `parley trust recompute` replays it.
CREATE TABLE trust_ledger (
    seq        bigserial UNIQUE,
    event_id   uuid PRIMARY KEY,
    site_id    uuid,
    story_id   uuid,
    kind       text NOT NULL,
    payload    jsonb NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX trust_ledger_site_idx ON trust_ledger (site_id, seq);

CREATE TABLE trust_signals (
    site_id               uuid NOT NULL,
    user_id               uuid NOT NULL,
    comments_published    integer NOT NULL DEFAULT 0,
    rejected              jsonb NOT NULL DEFAULT '{}',
    reports_against_upheld integer NOT NULL DEFAULT 0,
    reports_filed_upheld   integer NOT NULL DEFAULT 0,
    reports_filed_dismissed integer NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, user_id)
);

CREATE TABLE trust_visits (
    site_id uuid NOT NULL,
    user_id uuid NOT NULL,
    day     date NOT NULL,
    PRIMARY KEY (site_id, user_id, day)
);

CREATE TABLE trust_reactors (
    site_id    uuid NOT NULL,
    user_id    uuid NOT NULL,
    reactor_id uuid NOT NULL,
    reactions  integer NOT NULL,
    PRIMARY KEY (site_id, user_id, reactor_id)
);

-- Reports not yet resolved by a moderator's decision on their comment.
CREATE TABLE trust_reports (
    report_id   uuid PRIMARY KEY,
    site_id     uuid NOT NULL,
    comment_id  uuid NOT NULL,
    author_id   uuid NOT NULL,
    reporter_id uuid NOT NULL
);
CREATE INDEX trust_reports_comment_idx ON trust_reports (comment_id);

-- Sanctions as events described them; site_id NULL is a sanction everywhere.
CREATE TABLE trust_sanctions (
    sanction_id uuid PRIMARY KEY,
    site_id     uuid,
    user_id     uuid NOT NULL,
    kind        text NOT NULL,
    expires_at  timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX trust_sanctions_user_idx ON trust_sanctions (user_id);

CREATE TABLE trust_levels (
    site_id     uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    level       smallint NOT NULL CHECK (level BETWEEN 0 AND 4),
    pinned      smallint CHECK (pinned BETWEEN 0 AND 4),
    promoted_at timestamptz,
    PRIMARY KEY (site_id, user_id)
);

-- Every change of a level: automatic ones with the rule version, signals and thresholds
-- crossed; pins with the moderator and reason.
CREATE TABLE trust_changes (
    id           uuid PRIMARY KEY,
    site_id      uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    from_level   smallint NOT NULL,
    to_level     smallint NOT NULL,
    rule_version text NOT NULL DEFAULT '',
    signals      jsonb NOT NULL,
    crossed      text[] NOT NULL DEFAULT '{}',
    moderator_id uuid REFERENCES users (id) ON DELETE SET NULL,
    reason       text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trust_changes_user_idx ON trust_changes (site_id, user_id, created_at DESC);

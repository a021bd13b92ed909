-- Parley's first schema: accounts, sites, stories, comments and the transactional outbox.

CREATE TABLE sites (
    id              uuid PRIMARY KEY,
    name            text NOT NULL,
    allowed_origins text[] NOT NULL,
    settings        jsonb NOT NULL,
    sso_secret      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- Story-by-URL and CORS look a site up by one of its origins.
CREATE INDEX sites_allowed_origins_idx ON sites USING gin (allowed_origins);

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    username      text NOT NULL,
    email         text,
    password_hash text NOT NULL DEFAULT '',
    admin         boolean NOT NULL DEFAULT false,
    sso_site_id   uuid REFERENCES sites (id) ON DELETE SET NULL,
    sso_subject   text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX users_sso_key ON users (sso_site_id, sso_subject) WHERE sso_site_id IS NOT NULL;

-- Roles held on one site; admins are marked on users and hold every role everywhere.
CREATE TABLE site_roles (
    site_id    uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('COMMENTER', 'MEMBER', 'MODERATOR')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_id, user_id)
);
CREATE INDEX site_roles_user_idx ON site_roles (user_id);

-- Session and API tokens, kept only as SHA-256 hashes.
CREATE TABLE tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('session', 'api')),
    name         text NOT NULL DEFAULT '',
    hash         bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE INDEX tokens_user_idx ON tokens (user_id);

-- SSO token IDs already used, kept until the token would have expired anyway.
CREATE TABLE sso_jtis (
    site_id    uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    jti        text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (site_id, jti)
);
CREATE INDEX sso_jtis_expires_idx ON sso_jtis (expires_at);

-- Failed sign-ins per login, for lockout. The key is the lowercased login, never an IP.
CREATE TABLE sign_in_failures (
    key        text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_key_idx ON sign_in_failures (key, created_at);

CREATE TABLE stories (
    id            uuid PRIMARY KEY,
    site_id       uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    url           text NOT NULL,
    title         text NOT NULL DEFAULT '',
    closed        boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (site_id, url)
);
CREATE INDEX stories_url_idx ON stories (url);

CREATE TABLE comments (
    id             uuid PRIMARY KEY,
    story_id       uuid NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    site_id        uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    author_id      uuid REFERENCES users (id) ON DELETE SET NULL,
    parent_id      uuid REFERENCES comments (id) ON DELETE CASCADE,
    root_id        uuid NOT NULL,
    depth          integer NOT NULL CHECK (depth >= 0),
    body           text NOT NULL,
    body_source    text NOT NULL,
    status         text NOT NULL CHECK (status IN ('PUBLISHED', 'PENDING', 'REJECTED', 'DELETED')),
    reply_count    integer NOT NULL DEFAULT 0,
    reaction_count integer NOT NULL DEFAULT 0,
    report_count   integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    edited_at      timestamptz,
    deleted_at     timestamptz
);
-- One index per page a story serves: top-level comments in each of the four orders, and the
-- replies of one comment. Keys match the ORDER BY and cursor comparison exactly.
CREATE INDEX comments_story_newest_idx ON comments (story_id, created_at DESC, id DESC) WHERE parent_id IS NULL;
CREATE INDEX comments_story_replies_idx ON comments (story_id, reply_count DESC, created_at DESC, id DESC) WHERE parent_id IS NULL;
CREATE INDEX comments_story_reactions_idx ON comments (story_id, reaction_count DESC, created_at DESC, id DESC) WHERE parent_id IS NULL;
CREATE INDEX comments_parent_idx ON comments (parent_id, created_at, id) WHERE parent_id IS NOT NULL;
CREATE INDEX comments_author_idx ON comments (author_id, created_at DESC);

CREATE TABLE comment_revisions (
    id          uuid PRIMARY KEY,
    comment_id  uuid NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    body        text NOT NULL,
    body_source text NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX comment_revisions_comment_idx ON comment_revisions (comment_id, created_at);

CREATE TABLE reactions (
    comment_id uuid NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (comment_id, user_id, kind)
);
CREATE INDEX reactions_user_idx ON reactions (user_id);

-- Reaction totals per kind, kept in step with reactions so a page never counts rows.
CREATE TABLE reaction_counts (
    comment_id uuid NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    count      integer NOT NULL CHECK (count >= 0),
    PRIMARY KEY (comment_id, kind)
);

CREATE TABLE reports (
    id         uuid PRIMARY KEY,
    comment_id uuid NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason     text NOT NULL,
    details    text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (comment_id, user_id)
);

-- The transactional outbox: every change writes its event here in its own transaction; a
-- relay publishes pending rows and marks them.
CREATE TABLE outbox (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL,
    site_id      uuid,
    story_id     uuid,
    payload      jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (created_at) WHERE published_at IS NULL;

-- A story's published-comment count, spread over a few rows so that comments posted at the
-- same moment to one busy story do not queue behind a single row lock. The count is the sum.
CREATE TABLE story_comment_counts (
    story_id uuid NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    shard    smallint NOT NULL,
    count    integer NOT NULL,
    PRIMARY KEY (story_id, shard)
);

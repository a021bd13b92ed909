-- The moderators' list of a site's stories, newest first, and of its closed stories alone
-- (few, hence a partial index); each matches the page's ORDER BY and cursor exactly.
CREATE INDEX stories_site_newest_idx ON stories (site_id, created_at DESC, id DESC);
CREATE INDEX stories_site_closed_newest_idx ON stories (site_id, created_at DESC, id DESC) WHERE closed;

-- Searching stories for text anywhere in their title or URL (ILIKE '%text%') uses trigram
-- indexes. pg_trgm ships with PostgreSQL and is trusted: a database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX stories_title_trgm_idx ON stories USING gin (title gin_trgm_ops);
CREATE INDEX stories_url_trgm_idx ON stories USING gin (url gin_trgm_ops);

-- Readers' mutes: whose comments each reader chose not to see. The primary key serves a
-- reader's own list; the second index lets deleting an account remove the mutes of it.
CREATE TABLE user_mutes (
    muter_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    muted_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (muter_id, muted_id),
    CHECK (muter_id <> muted_id)
);
CREATE INDEX user_mutes_muted_idx ON user_mutes (muted_id);

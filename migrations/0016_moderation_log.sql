-- The public moderation log (issue 12). Decisions, sanctions and level pins are read where
-- they are kept; what has no table of its own (rule proposals, vote tallies, enactments) is
-- written here, in the transaction of the change it reports.
CREATE TABLE moderation_log (
    id         uuid PRIMARY KEY,
    site_id    uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('RULE_PROPOSAL', 'RULE_VOTES', 'RULE_ENACTED')),
    -- Public fields only (parley.RuleLogPayload): the log shows them to anyone.
    payload    jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One index per source of a log page, each ordered as the page is (newest first, then the
-- ID), so a page after a cursor is a range scan whatever the log's length.
CREATE INDEX moderation_log_page_idx ON moderation_log (site_id, created_at DESC, id DESC);
CREATE INDEX user_sanctions_log_idx ON user_sanctions (site_id, created_at DESC, id DESC) WHERE kind <> 'MESSAGE';
CREATE INDEX trust_changes_pins_idx ON trust_changes (site_id, created_at DESC, id DESC) WHERE rule_version = '';
-- Decisions are counted per UTC day: grouping follows this index, so a page reads only the
-- days it shows.
CREATE INDEX moderator_actions_log_idx ON moderator_actions (site_id, ((created_at AT TIME ZONE 'UTC')::date) DESC, action DESC, reason DESC);

-- The pipeline's holds and rejections are counted per site and day too: each decision now
-- carries its comment's site (written with it; older ones filled in here).
ALTER TABLE comment_moderations ADD COLUMN site_id uuid;
UPDATE comment_moderations m SET site_id = c.site_id FROM comments c WHERE c.id = m.comment_id;
CREATE INDEX comment_moderations_log_idx ON comment_moderations (site_id, ((created_at AT TIME ZONE 'UTC')::date) DESC, decision DESC, decided_by DESC)
    WHERE decision IN ('HOLD', 'REJECT');

-- The rate limiter asks for an account's highest level on any site.
CREATE INDEX trust_levels_user_idx ON trust_levels (user_id, level DESC);

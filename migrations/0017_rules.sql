-- Community rules (issue 12): proposals with their votes, and enacted rules, versioned.
-- A proposal is kept as one document (its content, tally, back-test report and times);
-- the columns beside it are what queries select on.
CREATE TABLE rule_proposals (
    id         uuid PRIMARY KEY,
    site_id    uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    author_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    state      text NOT NULL CHECK (state IN ('DRAFT', 'OPEN', 'APPROVED', 'REJECTED', 'WITHDRAWN', 'ENACTED')),
    doc        jsonb NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX rule_proposals_site_idx ON rule_proposals (site_id, created_at DESC, id DESC);

-- One vote per person per proposal; a later vote replaces it.
CREATE TABLE rule_votes (
    proposal_id uuid NOT NULL REFERENCES rule_proposals (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    approve     boolean NOT NULL,
    moderator   boolean NOT NULL,
    voted_at    timestamptz NOT NULL,
    PRIMARY KEY (proposal_id, user_id)
);

-- The current version of each rule: enacting a change moves it from the proposal's base
-- version only, so of two enactments racing for one rule exactly one wins. Names are unique
-- among a site's rules in force.
CREATE TABLE rule_heads (
    rule_id uuid PRIMARY KEY,
    site_id uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    name    text NOT NULL,
    version integer NOT NULL,
    retired boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX rule_heads_name_key ON rule_heads (site_id, lower(name)) WHERE NOT retired;

-- Every enacted version of every rule, so trails and rollbacks can name any of them.
CREATE TABLE rule_versions (
    rule_id     uuid NOT NULL REFERENCES rule_heads (rule_id) ON DELETE CASCADE,
    version     integer NOT NULL,
    site_id     uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    name        text NOT NULL,
    expression  text NOT NULL,
    effect      jsonb NOT NULL,
    shadow      boolean NOT NULL,
    retired     boolean NOT NULL,
    proposal_id uuid NOT NULL,
    enacted_at  timestamptz NOT NULL,
    PRIMARY KEY (rule_id, version)
);

-- Back-tests read a site's latest comments.
CREATE INDEX comments_site_recent_idx ON comments (site_id, created_at DESC, id DESC);

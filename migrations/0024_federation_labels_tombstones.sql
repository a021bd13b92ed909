-- Federation labels (issue 13, item 6): moderation decisions and sanctions that peers
-- publish about a comment or a user, and which of them a site here subscribes to.

-- The latest label of each origin per subject and value: a later one (a retraction, neg)
-- replaces it, so agreement is counted over current labels only.
CREATE TABLE federation_labels (
    origin           text NOT NULL,
    subject_type     text NOT NULL CHECK (subject_type IN ('comment', 'user')),
    subject_instance text NOT NULL,
    subject_id       text NOT NULL,
    value            text NOT NULL,
    neg              boolean NOT NULL DEFAULT false,
    exp              timestamptz,
    reason           text NOT NULL DEFAULT '',
    created          timestamptz NOT NULL,
    PRIMARY KEY (subject_type, subject_instance, subject_id, value, origin)
);

-- A site's subscription to one peer's labels: how much they weigh, what they do here, and
-- how many independent peers must agree first.
CREATE TABLE federation_label_subscriptions (
    site_id    uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    peer_id    uuid NOT NULL REFERENCES federation_peers (id) ON DELETE CASCADE,
    weight     double precision NOT NULL CHECK (weight BETWEEN 0 AND 1),
    action     text NOT NULL CHECK (action IN ('IGNORE', 'FLAG', 'HOLD', 'HIDE')),
    quorum     integer NOT NULL CHECK (quorum BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_id, peer_id)
);

-- Tombstones tracked to the end (issue 13, item 7): each deletion sent to peers, and per peer
-- whether it acknowledged it; unacknowledged ones are sent again.
CREATE TABLE federation_tombstones (
    id          text PRIMARY KEY,                 -- the first envelope's ID, which acks name
    object_type text NOT NULL CHECK (object_type IN ('comment', 'user')),
    object_id   text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX federation_tombstones_created ON federation_tombstones (created_at DESC);

CREATE TABLE federation_tombstone_peers (
    tombstone_id text NOT NULL REFERENCES federation_tombstones (id) ON DELETE CASCADE,
    peer_id      uuid NOT NULL REFERENCES federation_peers (id) ON DELETE CASCADE,
    acked_at     timestamptz,
    attempts     integer NOT NULL DEFAULT 1,
    last_sent_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tombstone_id, peer_id)
);
CREATE INDEX federation_tombstone_peers_unacked ON federation_tombstone_peers (last_sent_at) WHERE acked_at IS NULL;

-- Remote comments their origin deleted before this instance held them (a tombstone that
-- overtook its comment, as after an outage when catch-up brings the comment later): the
-- comment is refused when it arrives.
CREATE TABLE federation_buried_comments (
    instance   text NOT NULL,
    remote_id  text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instance, remote_id)
);

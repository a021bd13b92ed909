-- Federation (issue 13): this instance's Ed25519 identity, its peers, and the ledger of
-- envelopes applied. instance_keys (0011) keeps symmetric secrets and is left alone: signing
-- keys have a lifecycle (rotation, revocation) that a name-to-bytes table cannot hold.
CREATE TABLE federation_keys (
    id             text PRIMARY KEY,                 -- first 16 hex digits of sha256(public key)
    public_key     bytea NOT NULL,
    private_key    bytea NOT NULL,                   -- sealed with PARLEY_SECRET_KEY when sealed
    sealed         boolean NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    not_after      timestamptz,                      -- end of a rotated key's overlap window
    revoked_at     timestamptz
);
CREATE INDEX federation_keys_created ON federation_keys (created_at DESC);

CREATE TABLE federation_peers (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name               text NOT NULL UNIQUE,
    url                text NOT NULL,
    federation_address text NOT NULL DEFAULT '',
    keys               jsonb NOT NULL,
    fingerprint        text NOT NULL,
    state              text NOT NULL CHECK (state IN ('PENDING', 'ACTIVE', 'PAUSED', 'DEFEDERATED')),
    local_added        boolean NOT NULL DEFAULT true,
    remote_confirmed   boolean NOT NULL DEFAULT false,
    exchange           text[] NOT NULL DEFAULT '{stories}',
    trust_weight       double precision NOT NULL DEFAULT 0.5 CHECK (trust_weight BETWEEN 0 AND 1),
    max_msgs_per_sec   integer NOT NULL DEFAULT 50,
    max_bytes          bigint NOT NULL DEFAULT 67108864,
    max_backlog        integer NOT NULL DEFAULT 100000,
    received           bigint NOT NULL DEFAULT 0,
    rejected           bigint NOT NULL DEFAULT 0,
    last_error         text NOT NULL DEFAULT '',
    last_event_at      timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- The lasting replay guard: an envelope is applied once per (origin, id), however often
-- JetStream delivers it. Keyed by origin so a peer cannot burn another peer's IDs.
CREATE TABLE federation_envelopes (
    origin      text NOT NULL,
    id          text NOT NULL,
    kind        text NOT NULL,
    created     timestamptz NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (origin, id)
);

-- Stories shared with peers: comments on them are sent to those peers.
CREATE TABLE federation_shared_stories (
    story_id   uuid NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    peer_id    uuid NOT NULL REFERENCES federation_peers (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (story_id, peer_id)
);

-- Remote authors: a users row named username@instance, without email or password (so it
-- can never sign in), found again by the author's ID on their home instance.
CREATE TABLE federation_users (
    instance  text NOT NULL,
    remote_id text NOT NULL,
    user_id   uuid NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (instance, remote_id)
);

-- Remote comments applied here, by their origin's ID: edits, deletions and replies name
-- comments that way.
CREATE TABLE federation_comments (
    instance   text NOT NULL,
    remote_id  text NOT NULL,
    comment_id uuid NOT NULL UNIQUE REFERENCES comments (id) ON DELETE CASCADE,
    PRIMARY KEY (instance, remote_id)
);

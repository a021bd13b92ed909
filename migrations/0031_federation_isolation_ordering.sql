-- Federation leaf credentials (issue 13): each peer signs in to our leaf listener with a
-- password of its own, of which we keep only the bcrypt hash it sent at peering (leaf_hash),
-- and we sign in to its listener with a password we made for it (leaf_secret, sealed with
-- PARLEY_SECRET_KEY when leaf_secret_sealed), so that removing or defederating a peer
-- closes its access at once.
ALTER TABLE federation_peers
    ADD COLUMN leaf_secret        bytea,
    ADD COLUMN leaf_secret_sealed boolean NOT NULL DEFAULT false,
    ADD COLUMN leaf_hash          text NOT NULL DEFAULT '';

-- Replies held until their parent arrives (issue 13): live delivery may bring a reply before
-- a parent that catch-up brings later; the reply waits here, keyed by its parent as the
-- parent's home instance names it, and is applied under it when it comes (or at the top
-- level once overdue).
CREATE TABLE federation_held_replies (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    origin          text NOT NULL,
    kind            text NOT NULL,
    parent_instance text NOT NULL,
    parent_id       text NOT NULL,
    payload         jsonb NOT NULL,
    held_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX federation_held_replies_parent ON federation_held_replies (parent_instance, parent_id, id);
CREATE INDEX federation_held_replies_held_at ON federation_held_replies (held_at, id);

-- The peers each local author's comments were sent to (issue 13): an erased account's
-- tombstone goes to them, and a sanction's label too. The user ID has no foreign key: the
-- row outlives the account until its tombstone is sent.
CREATE TABLE federation_sent_authors (
    user_id uuid NOT NULL,
    peer_id uuid NOT NULL REFERENCES federation_peers (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, peer_id)
);

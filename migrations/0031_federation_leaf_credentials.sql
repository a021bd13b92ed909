-- Federation leaf credentials (issue 13): each peer signs in to our leaf listener with a
-- password of its own, of which we keep only the bcrypt hash it sent at peering (leaf_hash),
-- and we sign in to its listener with a password we made for it (leaf_secret, sealed with
-- PARLEY_SECRET_KEY when leaf_secret_sealed), so that removing or defederating a peer
-- closes its access at once.
ALTER TABLE federation_peers
    ADD COLUMN leaf_secret        bytea,
    ADD COLUMN leaf_secret_sealed boolean NOT NULL DEFAULT false,
    ADD COLUMN leaf_hash          text NOT NULL DEFAULT '';

-- Secrets every replica of an instance shares, made on first use: the key that turns client
-- addresses into keyed hashes before they are stored anywhere (rate-limit keys included).
CREATE TABLE instance_keys (
    name       text PRIMARY KEY,
    key        bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

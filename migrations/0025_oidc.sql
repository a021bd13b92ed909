-- OpenID Connect sign-in (issue 15, item 4).

-- A provider belongs to a site, or to the whole instance when site_id is NULL. The client
-- secret is stored for the code exchange and never read back through the API.
CREATE TABLE oidc_providers (
    id            uuid PRIMARY KEY,
    site_id       uuid REFERENCES sites (id) ON DELETE CASCADE,
    name          text NOT NULL,
    issuer        text NOT NULL,
    client_id     text NOT NULL,
    client_secret text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oidc_providers_site_idx ON oidc_providers (site_id);

-- A sign-in in progress: state names it, nonce and the PKCE verifier prove the answer belongs
-- to it. A flow is deleted when used, so a state (and with it a code) works at most once.
CREATE TABLE oidc_flows (
    state         text PRIMARY KEY,
    provider_id   uuid NOT NULL REFERENCES oidc_providers (id) ON DELETE CASCADE,
    site_id       uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    origin        text NOT NULL,
    nonce         text NOT NULL,
    code_verifier text NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX oidc_flows_expires_idx ON oidc_flows (expires_at);

-- The link between a provider's subject and a Parley account.
CREATE TABLE oidc_links (
    provider_id uuid NOT NULL REFERENCES oidc_providers (id) ON DELETE CASCADE,
    subject     text NOT NULL,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, subject)
);

-- A sign-in whose verified email belongs to an existing account waits here for the reader's
-- consent to link; the token (stored hashed) is usable once and briefly.
CREATE TABLE oidc_pending_links (
    hash        bytea PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES oidc_providers (id) ON DELETE CASCADE,
    subject     text NOT NULL,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    origin      text NOT NULL,
    expires_at  timestamptz NOT NULL
);

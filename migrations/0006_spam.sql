-- Each site's spam model, learnt from its moderators' decisions: how many comments were
-- trained as spam and as not spam, and how often each token appeared in each.
CREATE TABLE spam_docs (
    site_id uuid PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    spam    integer NOT NULL DEFAULT 0,
    ham     integer NOT NULL DEFAULT 0
);
CREATE TABLE spam_tokens (
    site_id uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    token   text NOT NULL,
    spam    integer NOT NULL DEFAULT 0,
    ham     integer NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, token)
);

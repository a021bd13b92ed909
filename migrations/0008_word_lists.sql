-- Each site's word lists, as its moderators wrote them, with the version of the compiled set.
CREATE TABLE word_lists (
    site_id    uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('BANNED', 'SUSPECT')),
    terms      text NOT NULL,
    term_count integer NOT NULL,
    version    text NOT NULL,
    updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_id, kind)
);

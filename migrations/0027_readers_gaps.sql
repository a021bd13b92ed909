-- A reply or a mention tells each reader once per comment (issue 15): a reply held and then
-- approved, or published, held by reports and approved again, is a second event about the
-- same comment, and the notify consumer skips it through this index. Earlier duplicates, if
-- any, keep their oldest row.
DELETE FROM notifications n
USING notifications o
WHERE n.kind IN ('REPLY', 'MENTION') AND o.kind = n.kind AND o.user_id = n.user_id
  AND o.comment_id = n.comment_id AND o.id < n.id;

CREATE UNIQUE INDEX notifications_once_idx ON notifications (comment_id, user_id, kind)
    WHERE kind IN ('REPLY', 'MENTION');

-- An administrator may turn an OpenID Connect provider off without removing it, so its
-- accounts' links survive until it is turned on again.
ALTER TABLE oidc_providers ADD COLUMN disabled_at timestamptz;

-- The address the provider verified when it proposed a link: consenting to the link verifies
-- the account's address too, if it is still that one.
ALTER TABLE oidc_pending_links ADD COLUMN email text NOT NULL DEFAULT '';

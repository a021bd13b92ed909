-- What readers need (issue 15): stories that close by themselves, and guest authors.

-- Stories close by themselves autoCloseAfterDays (a site setting) after open_since: when the
-- story began, or when a moderator last reopened it. Closing is a function of time, computed
-- where a story is read, so no job has to run for a story to close on time. NULL means the
-- story was never reopened and counts from created_at.
ALTER TABLE stories ADD COLUMN open_since timestamptz;

-- Guests: each guest comment has an author of its own with no password and no way to sign
-- in. username keeps the unique index out of the way ('guest:' cannot start a real
-- username); guest_name is what the comment shows; guest_email is kept as given (lowercased)
-- and private, outside the unique email index, for a guest who later signs up with the same
-- verified address to claim their comments.
ALTER TABLE users
    ADD COLUMN guest boolean NOT NULL DEFAULT false,
    ADD COLUMN guest_name text,
    ADD COLUMN guest_email text;
CREATE INDEX users_guest_email_idx ON users (guest_email) WHERE guest_email IS NOT NULL;

-- Stories close by themselves autoCloseAfterDays (a site setting) after open_since: when the
-- story began, or when a moderator last reopened it. Closing is a function of time, computed
-- where a story is read, so no job has to run for a story to close on time. NULL means the
-- story was never reopened and counts from created_at.
ALTER TABLE stories ADD COLUMN open_since timestamptz;

-- A story's own pre-moderation mode: SITE follows the site's settings.
ALTER TABLE stories ADD COLUMN moderation text NOT NULL DEFAULT 'SITE'
    CHECK (moderation IN ('SITE', 'PRE', 'PRE_LINKS', 'POST'));

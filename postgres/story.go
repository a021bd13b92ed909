package postgres

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// StoryService implements parley.StoryService.
type StoryService struct{ db *DB }

// NewStoryService returns a StoryService on db.
func NewStoryService(db *DB) *StoryService { return &StoryService{db: db} }

// storyColumns reads a story with its published-comment count summed from its shards.
// It also reads when the story opened and its site's autoCloseAfterDays, so that scanStory
// closes it on time (see parley.Story.ApplyAutoClose).
const storyColumns = `id, site_id, url, title, closed, moderation,
	(SELECT coalesce(sum(count), 0)::int FROM story_comment_counts WHERE story_id = stories.id),
	created_at, updated_at, coalesce(open_since, created_at),
	coalesce((SELECT (settings->>'autoCloseAfterDays')::int FROM sites WHERE sites.id = stories.site_id), 0)`

func scanStory(row pgx.Row) (*parley.Story, error) {
	var s parley.Story
	var mode string
	var days int
	err := row.Scan(&s.ID, &s.SiteID, &s.URL, &s.Title, &s.Closed, &mode, &s.CommentCount, &s.CreatedAt, &s.UpdatedAt, &s.OpenSince, &days)
	s.Moderation = parley.StoryModeration(mode)
	s.ApplyAutoClose(days, time.Now())
	return &s, err
}

// FindStoryByID returns a story.
func (s *StoryService) FindStoryByID(ctx context.Context, id string) (*parley.Story, error) {
	return findStory(ctx, s.db.pool, id)
}

func findStory(ctx context.Context, q querier, id string) (*parley.Story, error) {
	if !parley.IsID(id) {
		return nil, notFound("Story")
	}
	story, err := scanStory(q.QueryRow(ctx, `SELECT `+storyColumns+` FROM stories WHERE id = $1`, id))
	if err != nil {
		return nil, translateNotFound(err, "Story")
	}
	return story, nil
}

// FindStoriesByIDs returns the stories it finds in one query.
func (s *StoryService) FindStoriesByIDs(ctx context.Context, ids []string) ([]*parley.Story, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+storyColumns+` FROM stories WHERE id = ANY($1::uuid[])`, validIDs(ids))
	if err != nil {
		return nil, translate(err)
	}
	stories, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.Story, error) { return scanStory(r) })
	return stories, translate(err)
}

// FindStoryByURL finds the story at a URL, creating it when a site allows the URL's origin.
// Every page view of an embedding site asks, so the common case (the story exists) is one
// read with no transaction; only the first view of a page writes.
func (s *StoryService) FindStoryByURL(ctx context.Context, rawURL string) (*parley.Story, error) {
	canonical, err := parley.CanonicalStoryURL(rawURL)
	if err != nil {
		return nil, err
	}
	story, err := scanStory(s.db.pool.QueryRow(ctx, `
		SELECT `+storyColumns+` FROM stories
		WHERE url = $1 AND site_id = (
			SELECT id FROM sites WHERE allowed_origins @> ARRAY[$2] ORDER BY created_at, id LIMIT 1)`,
		canonical, originOrEmpty(canonical)))
	if err == nil {
		return story, nil
	} else if !noRows(err) {
		return nil, translate(err)
	}
	err = s.db.inTx(ctx, func(tx pgx.Tx) (err error) {
		story, err = findOrCreateStory(ctx, tx, rawURL)
		return err
	})
	return story, err
}

// originOrEmpty is the origin of a canonical URL, which CanonicalStoryURL guarantees has one.
func originOrEmpty(canonical string) string {
	o, _ := parley.OriginOfURL(canonical)
	return o
}

// findOrCreateStory looks a story up by canonical URL and creates it on first use. Creation
// races between replicas end in the same row through ON CONFLICT.
func findOrCreateStory(ctx context.Context, tx pgx.Tx, rawURL string) (*parley.Story, error) {
	canonical, err := parley.CanonicalStoryURL(rawURL)
	if err != nil {
		return nil, err
	}
	origin, err := parley.OriginOfURL(canonical)
	if err != nil {
		return nil, err
	}
	var siteID string
	err = tx.QueryRow(ctx, `
		SELECT id FROM sites WHERE allowed_origins @> ARRAY[$1] ORDER BY created_at, id LIMIT 1`, origin).Scan(&siteID)
	if noRows(err) {
		return nil, parley.Errorf(parley.ENOTFOUND, "No site allows comments on pages at %s.", origin)
	} else if err != nil {
		return nil, err
	}
	story, err := scanStory(tx.QueryRow(ctx, `
		INSERT INTO stories (id, site_id, url) VALUES ($1, $2, $3)
		ON CONFLICT (site_id, url) DO NOTHING
		RETURNING `+storyColumns, newID(), siteID, canonical))
	if err == nil {
		return story, insertEvent(ctx, tx, parley.Event{SiteID: siteID, StoryID: story.ID, Payload: parley.StoryCreatedOf(story)})
	} else if !noRows(err) {
		return nil, err
	}
	return scanStory(tx.QueryRow(ctx, `SELECT `+storyColumns+` FROM stories WHERE site_id = $1 AND url = $2`, siteID, canonical))
}

// MaxStoryTitleLength bounds a story's title.
const MaxStoryTitleLength = 300

// UpdateStory changes a story's title or opens and closes it; the site's moderators may.
func (s *StoryService) UpdateStory(ctx context.Context, id string, upd parley.StoryUpdate) (*parley.Story, error) {
	if upd.Title != nil {
		t := strings.TrimSpace(*upd.Title)
		if !utf8.ValidString(t) || utf8.RuneCountInString(t) > MaxStoryTitleLength {
			return nil, parley.FieldErrorf("title", "Title must be valid text of at most %d characters.", MaxStoryTitleLength)
		}
		upd.Title = &t
	}
	if upd.Moderation != nil && !upd.Moderation.Valid() {
		return nil, parley.FieldErrorf("moderation", "Moderation is SITE, PRE, PRE_LINKS or POST.")
	}
	var story *parley.Story
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		current, err := findStory(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := requireSiteRole(ctx, tx, current.SiteID, parley.RoleModerator); err != nil {
			return err
		}
		story, err = scanStory(tx.QueryRow(ctx, `
			UPDATE stories SET title = coalesce($2, title), closed = coalesce($3, closed),
				moderation = coalesce($4, moderation), updated_at = now(),
				open_since = CASE WHEN $3 = false THEN now() ELSE open_since END
			WHERE id = $1 RETURNING `+storyColumns, id, upd.Title, upd.Closed, (*string)(upd.Moderation)))
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: story.SiteID, StoryID: story.ID, Payload: parley.StoryUpdated(parley.StoryCreatedOf(story))})
	})
	return story, err
}

// FindStories returns a page of a site's stories, newest first, for its moderators. Each
// page is a range scan of migration 0012's indexes; a search adds the trigram indexes.
func (s *StoryService) FindStories(ctx context.Context, f parley.StoryFilter) (*parley.StoryPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if _, err := findSite(ctx, s.db.pool, f.SiteID, false); err != nil {
		return nil, err
	}
	if err := requireSiteRole(ctx, s.db.pool, f.SiteID, parley.RoleModerator); err != nil {
		return nil, translate(err)
	}
	sql, args := storiesSQL(f)
	rows, err := s.db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, translate(err)
	}
	stories, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.Story, error) { return scanStory(r) })
	if err != nil {
		return nil, translate(err)
	}
	if len(stories) > f.First {
		return &parley.StoryPage{Stories: stories[:f.First], HasNextPage: true}, nil
	}
	return &parley.StoryPage{Stories: stories}, nil
}

// storiesSQL builds a story page's query from constant fragments only; values travel as
// arguments: $1 site, $2 limit, then the closed flag, the search pattern and the cursor when
// given.
func storiesSQL(f parley.StoryFilter) (string, []any) {
	sql := `SELECT ` + storyColumns + ` FROM stories WHERE site_id = $1`
	args := []any{f.SiteID, f.First + 1}
	if f.Closed != nil {
		// Closed by a moderator, or by the site's autoCloseAfterDays, as scanStory sees it.
		args = append(args, *f.Closed)
		sql += ` AND (closed OR coalesce((SELECT (settings->>'autoCloseAfterDays')::int FROM sites WHERE id = $1), 0) > 0
			AND coalesce(open_since, created_at) + make_interval(days => (SELECT (settings->>'autoCloseAfterDays')::int FROM sites WHERE id = $1)) <= now()) = $` + strconv.Itoa(len(args))
	}
	if f.Query != "" {
		args = append(args, "%"+likeEscaper.Replace(f.Query)+"%")
		n := strconv.Itoa(len(args))
		sql += ` AND (title ILIKE $` + n + ` OR url ILIKE $` + n + `)`
	}
	if f.After != nil {
		args = append(args, f.After.Time, f.After.ID)
		sql += ` AND (created_at, id) < ($` + strconv.Itoa(len(args)-1) + `, $` + strconv.Itoa(len(args)) + `)`
	}
	return sql + ` ORDER BY created_at DESC, id DESC LIMIT $2`, args
}

// likeEscaper makes a search text match itself in LIKE, whose escape character is '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// StoryCounts finds the stories at many URLs, and their counts, in one query that creates
// nothing. A URL's story is looked up as FindStoryByURL does: by canonical URL, on the first
// site that allows the URL's origin.
func (s *StoryService) StoryCounts(ctx context.Context, urls []string) ([]*parley.StoryCount, error) {
	if len(urls) > parley.MaxStoryCountURLs {
		return nil, parley.FieldErrorf("urls", "Ask for at most %d URLs at once.", parley.MaxStoryCountURLs)
	}
	canonical := make([]string, len(urls))
	var want, origins []string
	seen := map[string]bool{}
	for i, raw := range urls {
		c, err := parley.CanonicalStoryURL(raw)
		if err != nil {
			continue // not a story URL: it counts 0
		}
		canonical[i] = c
		if !seen[c] {
			seen[c] = true
			want, origins = append(want, c), append(origins, originOrEmpty(c))
		}
	}
	byURL := map[string]*parley.Story{}
	if len(want) > 0 {
		rows, err := s.db.pool.Query(ctx, `
			SELECT `+storyColumns+` FROM stories
			JOIN unnest($1::text[], $2::text[]) AS wanted (want_url, want_origin) ON stories.url = wanted.want_url
			WHERE stories.site_id = (
				SELECT id FROM sites WHERE allowed_origins @> ARRAY[wanted.want_origin] ORDER BY created_at, id LIMIT 1)`,
			want, origins)
		if err != nil {
			return nil, translate(err)
		}
		stories, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.Story, error) { return scanStory(r) })
		if err != nil {
			return nil, translate(err)
		}
		for _, st := range stories {
			byURL[st.URL] = st
		}
	}
	out := make([]*parley.StoryCount, len(urls))
	for i, raw := range urls {
		out[i] = &parley.StoryCount{URL: raw}
		if st := byURL[canonical[i]]; st != nil {
			out[i].Story, out[i].CommentCount = st, st.CommentCount
		}
	}
	return out, nil
}

package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// CommentService implements parley.CommentStore: the comments' storage, which publishes
// every comment unless package moderation puts its pipeline in front.
type CommentService struct {
	db       *DB
	renderer parley.Renderer
}

var _ parley.CommentStore = (*CommentService)(nil)

// NewCommentService returns a CommentService that renders bodies with r.
func NewCommentService(db *DB, r parley.Renderer) *CommentService {
	return &CommentService{db: db, renderer: r}
}

const commentColumns = `id, story_id, site_id, coalesce(author_id::text, ''), coalesce(parent_id::text, ''),
	root_id, depth, body, body_source, status, reply_count, reaction_count, report_count, featured,
	version, created_at, edited_at, deleted_at`

func scanComment(row pgx.Row) (*parley.Comment, error) { return scanCommentWith(row) }

// scanCommentWith reads commentColumns and then the columns that follow them into more. The
// reply count read is the one every reader shares; reads for a caller add their own.
func scanCommentWith(row pgx.Row, more ...any) (*parley.Comment, error) {
	var c parley.Comment
	var status string
	err := row.Scan(append([]any{&c.ID, &c.StoryID, &c.SiteID, &c.AuthorID, &c.ParentID, &c.RootID, &c.Depth,
		&c.Body, &c.BodySource, &status, &c.SharedReplyCount, &c.ReactionCount, &c.ReportCount, &c.Featured,
		&c.Version, &c.CreatedAt, &c.EditedAt, &c.DeletedAt}, more...)...)
	c.Status = parley.CommentStatus(status)
	c.ReplyCount = c.SharedReplyCount
	return &c, err
}

func collectComments(rows pgx.Rows, err error) ([]*parley.Comment, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.Comment, error) { return scanComment(r) })
}

// FindRevisions returns a comment's earlier bodies, oldest first, to whoever may read it
// whole: a placeholder's reader may not read its body, nor its earlier ones. Its author and
// the site's moderators always find them; other readers only on a site that shows edit
// histories (SiteSettings.ShowRevisions), and otherwise an empty list, as for an unedited
// comment, since the comment's editedAt already tells that it changed.
func (s *CommentService) FindRevisions(ctx context.Context, commentID string) ([]*parley.Revision, error) {
	c, err := findWholeComment(ctx, s.db.pool, commentID)
	if err != nil {
		return nil, err
	}
	if c.EditedAt == nil {
		return []*parley.Revision{}, nil
	}
	if shown, err := revisionsShown(ctx, s.db.pool, c); err != nil || !shown {
		return []*parley.Revision{}, err
	}
	rows, err := s.db.pool.Query(ctx, `
		SELECT id, comment_id, body, body_source, created_at FROM comment_revisions
		WHERE comment_id = $1 ORDER BY created_at, id`, commentID)
	if err != nil {
		return nil, translate(err)
	}
	revs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.Revision, error) {
		var rev parley.Revision
		err := r.Scan(&rev.ID, &rev.CommentID, &rev.Body, &rev.BodySource, &rev.CreatedAt)
		return &rev, err
	})
	return revs, translate(err)
}

// siteSettings reads a site's settings over the defaults, so a setting added later has its
// default on sites saved before.
func siteSettings(ctx context.Context, q querier, siteID string) (parley.SiteSettings, error) {
	var raw []byte
	if err := q.QueryRow(ctx, `SELECT settings FROM sites WHERE id = $1`, siteID).Scan(&raw); err != nil {
		return parley.SiteSettings{}, err
	}
	settings := parley.DefaultSiteSettings()
	err := json.Unmarshal(raw, &settings)
	return settings, err
}

// CreateComment validates, renders and publishes a comment, applying no moderation: it is
// PrepareComment and InsertComment with no pipeline between them.
func (s *CommentService) CreateComment(ctx context.Context, in parley.CreateCommentInput) (*parley.Comment, error) {
	d, err := s.PrepareComment(ctx, in)
	if err != nil {
		return nil, err
	}
	return s.InsertComment(ctx, d, nil)
}

// InsertComment writes a prepared comment with the pipeline's outcome m (nil publishes it).
// The comment, its decision trail, its counters and its event are written by one statement,
// which PostgreSQL applies whole or not at all.
func (s *CommentService) InsertComment(ctx context.Context, d *parley.Draft, m *parley.Moderation) (*parley.Comment, error) {
	if d.Action != parley.ActionCreate || d.Comment == nil {
		return nil, fmt.Errorf("postgres: InsertComment needs a draft of a new comment, not %q", d.Action)
	}
	c := new(parley.Comment)
	*c = *d.Comment
	c.Status, c.Version = parley.StatusPublished, 1
	var decision, decidedBy string
	var trail []byte
	if m != nil {
		var err error
		c.Status, decision, decidedBy = m.Decision.Status(), string(m.Decision), m.DecidedBy
		if trail, err = json.Marshal(m.Trail); err != nil {
			return nil, err
		}
	}
	payload, err := parley.EncodeEvent(parley.CommentCreated{CommentSnapshot: parley.SnapshotOf(c), RepliedToAuthorID: d.RepliedToAuthorID, DecidedBy: decidedBy})
	if err != nil {
		return nil, err
	}
	// The story's closed flag is checked again inside the statement (read once, for the
	// insert and for the answer), so a comment cannot slip in after a moderator closed the
	// story while the pipeline ran. The comment replied
	// to is locked and must still show to every reader: its count then only grows from
	// above zero, which moves no count above it (see reshow); a reply to a comment that was
	// withdrawn while the pipeline ran, and has no other reply that shows, is refused.
	var inserted int
	var isClosed bool
	//
	// Concurrent writers' statements share one transaction and one commit (groupCommit); each
	// is answered only once that commit is done.
	err = s.db.commits.queryRow(ctx, `
		WITH story AS (
			SELECT closed FROM stories WHERE id = $2
		), parent AS (
			SELECT `+sharedSQL+` AS shown FROM comments WHERE id = $5 FOR UPDATE
		), c AS (
			INSERT INTO comments (id, story_id, site_id, author_id, parent_id, root_id, depth, body, body_source, status, created_at)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
			WHERE NOT (SELECT closed FROM story)
				AND ($5::uuid IS NULL OR coalesce((SELECT shown FROM parent), false))
			RETURNING id
		), counted AS (
			INSERT INTO story_comment_counts (story_id, shard, count)
			SELECT $2, $12, 1 FROM c WHERE $10 = 'PUBLISHED'
			ON CONFLICT (story_id, shard) DO UPDATE SET count = story_comment_counts.count + 1
		), replied AS (
			UPDATE comments SET reply_count = reply_count + 1
			WHERE id = $5 AND $10 = 'PUBLISHED' AND EXISTS (SELECT 1 FROM c)
		), event AS (
			INSERT INTO outbox (id, kind, site_id, story_id, payload, created_at)
			SELECT $13, $14, $3, $2, $15, $11 FROM c
		), moderated AS (
			INSERT INTO comment_moderations (id, comment_id, action, decision, decided_by, trail, created_at, site_id)
			SELECT $16, $1, 'CREATE', $17, $18, $19, $11, $3 FROM c WHERE $19::jsonb IS NOT NULL
		)
		SELECT (SELECT count(*) FROM c), (SELECT closed FROM story)`,
		[]any{c.ID, c.StoryID, c.SiteID, c.AuthorID, nullID(c.ParentID), c.RootID, c.Depth, c.Body, c.BodySource,
			string(c.Status), c.CreatedAt, rand.IntN(storyCountShards), newID(), parley.EventCommentCreated, payload,
			newID(), decision, decidedBy, trail}, &inserted, &isClosed)
	switch {
	case err != nil:
		return nil, translate(err)
	case inserted == 0 && isClosed:
		return nil, parley.Errorf(parley.ECLOSED, "This story is closed to new comments.")
	case inserted == 0:
		return nil, parley.FieldErrorf("parentID", "You can only reply to published comments.")
	}
	return c, nil
}

// pageOf makes a page of comments read with a limit of first+1: the extra row only says
// that a next page exists.
func pageOf(comments []*parley.Comment, first int) *parley.CommentPage {
	if len(comments) > first {
		return &parley.CommentPage{Comments: comments[:first], HasNextPage: true}
	}
	return &parley.CommentPage{Comments: comments}
}

// closed answers ECLOSED when a story, or its whole site, takes no new comments.
func closed(story *parley.Story, settings parley.SiteSettings) error {
	return story.ClosedError(settings)
}

// revisionsShown reports whether the caller may read c's edit history: its author and the
// site's moderators always may, anyone else when the site shows histories.
func revisionsShown(ctx context.Context, q querier, c *parley.Comment) (bool, error) {
	u := parley.UserFromContext(ctx)
	if u != nil && c.AuthorID != "" && c.AuthorID == u.ID {
		return true, nil
	}
	settings, err := siteSettings(ctx, q, c.SiteID)
	if err != nil {
		return false, translate(err)
	}
	if settings.ShowRevisions || u == nil {
		return settings.ShowRevisions, nil
	}
	role, err := siteRole(ctx, q, c.SiteID, u)
	if err != nil {
		return false, err
	}
	return role.AtLeast(parley.RoleModerator), nil
}

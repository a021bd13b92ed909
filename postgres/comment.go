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

func scanComment(row pgx.Row) (*parley.Comment, error) {
	var c parley.Comment
	var status string
	err := row.Scan(&c.ID, &c.StoryID, &c.SiteID, &c.AuthorID, &c.ParentID, &c.RootID, &c.Depth,
		&c.Body, &c.BodySource, &status, &c.ReplyCount, &c.ReactionCount, &c.ReportCount, &c.Featured,
		&c.Version, &c.CreatedAt, &c.EditedAt, &c.DeletedAt)
	c.Status = parley.CommentStatus(status)
	return &c, err
}

func collectComments(rows pgx.Rows, err error) ([]*parley.Comment, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.Comment, error) { return scanComment(r) })
}

// publicStatuses is the SQL test for comments anyone may see, with $2 the viewer's ID: the
// published ones, tombstones, and the viewer's own pending comments.
const visibleToViewer = `(status IN ('PUBLISHED', 'DELETED') OR (status = 'PENDING' AND author_id = $2))`

// visible reports whether the caller may see c: public statuses for everyone, every status
// for its author and the site's moderators.
func visible(ctx context.Context, q querier, c *parley.Comment) (bool, error) {
	if c.Status == parley.StatusPublished || c.Status == parley.StatusDeleted {
		return true, nil
	}
	u := parley.UserFromContext(ctx)
	if u == nil {
		return false, nil
	}
	if u.ID == c.AuthorID {
		return true, nil
	}
	role, err := siteRole(ctx, q, c.SiteID, u)
	return role.AtLeast(parley.RoleModerator), err
}

// FindCommentByID returns a comment the caller may see.
func (s *CommentService) FindCommentByID(ctx context.Context, id string) (*parley.Comment, error) {
	return findVisibleComment(ctx, s.db.pool, id, false)
}

func findVisibleComment(ctx context.Context, q querier, id string, forUpdate bool) (*parley.Comment, error) {
	if !parley.IsID(id) {
		return nil, notFound("Comment")
	}
	sql := `SELECT ` + commentColumns + ` FROM comments WHERE id = $1`
	if forUpdate {
		sql += ` FOR UPDATE`
	}
	c, err := scanComment(q.QueryRow(ctx, sql, id))
	if err != nil {
		return nil, translateNotFound(err, "Comment")
	}
	if ok, err := visible(ctx, q, c); err != nil {
		return nil, err
	} else if !ok {
		return nil, notFound("Comment")
	}
	return c, nil
}

// FindCommentsByIDs returns the comments it finds that the caller may see, in one query for
// the public ones.
func (s *CommentService) FindCommentsByIDs(ctx context.Context, ids []string) ([]*parley.Comment, error) {
	comments, err := collectComments(s.db.pool.Query(ctx,
		`SELECT `+commentColumns+` FROM comments WHERE id = ANY($1::uuid[])`, validIDs(ids)))
	if err != nil {
		return nil, translate(err)
	}
	out := comments[:0]
	for _, c := range comments {
		if ok, err := visible(ctx, s.db.pool, c); err != nil {
			return nil, translate(err)
		} else if ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// pageQueries holds, for each order, the SQL of a first page and of a page after a cursor.
// Each matches one index of migration 0001 so a page is a range scan whatever its depth.
type pageQuery struct {
	first, after string
	// byCount tells whether the cursor's count is part of the sort key.
	byCount bool
}

func pageQueries(scope, order, compare, countCol string) pageQuery {
	base := `SELECT ` + commentColumns + ` FROM comments WHERE ` + scope + ` AND ` + visibleToViewer
	after := `(created_at, id) ` + compare + ` ($4, $5)`
	if countCol != "" {
		after = `(` + countCol + `, created_at, id) ` + compare + ` ($6, $4, $5)`
	}
	return pageQuery{
		first:   base + ` ORDER BY ` + order + ` LIMIT $3`,
		after:   base + ` AND ` + after + ` ORDER BY ` + order + ` LIMIT $3`,
		byCount: countCol != "",
	}
}

var commentPages = func() map[bool]map[parley.CommentOrder]pageQuery {
	pages := map[bool]map[parley.CommentOrder]pageQuery{}
	for _, replies := range []bool{false, true} {
		scope := `story_id = $1 AND parent_id IS NULL`
		if replies {
			scope = `parent_id = $1`
		}
		pages[replies] = map[parley.CommentOrder]pageQuery{
			parley.OrderNewest:        pageQueries(scope, `created_at DESC, id DESC`, `<`, ``),
			parley.OrderOldest:        pageQueries(scope, `created_at, id`, `>`, ``),
			parley.OrderMostReplies:   pageQueries(scope, `reply_count DESC, created_at DESC, id DESC`, `<`, `reply_count`),
			parley.OrderMostReactions: pageQueries(scope, `reaction_count DESC, created_at DESC, id DESC`, `<`, `reaction_count`),
		}
	}
	return pages
}()

// FindComments returns one page of a story's top-level comments or of a comment's replies.
func (s *CommentService) FindComments(ctx context.Context, f parley.CommentFilter) (*parley.CommentPage, error) {
	if !f.Order.Valid() {
		return nil, parley.FieldErrorf("orderBy", "Unknown order %q.", f.Order)
	}
	if f.First < 1 || f.First > parley.MaxPageSize {
		return nil, parley.FieldErrorf("first", "first must be between 1 and %d.", parley.MaxPageSize)
	}
	scopeID, replies := f.StoryID, f.ParentID != ""
	if replies {
		scopeID = f.ParentID
	}
	if !parley.IsID(scopeID) {
		return &parley.CommentPage{}, nil
	}
	q := commentPages[replies][f.Order]
	viewer := nullID(parley.UserIDFromContext(ctx))
	var comments []*parley.Comment
	var err error
	switch {
	case f.After == nil:
		comments, err = collectComments(s.db.pool.Query(ctx, q.first, scopeID, viewer, f.First+1))
	case q.byCount:
		comments, err = collectComments(s.db.pool.Query(ctx, q.after, scopeID, viewer, f.First+1, f.After.Time, f.After.ID, f.After.Count))
	default:
		comments, err = collectComments(s.db.pool.Query(ctx, q.after, scopeID, viewer, f.First+1, f.After.Time, f.After.ID))
	}
	if err != nil {
		return nil, translate(err)
	}
	return pageOf(comments, f.First), nil
}

// FindRevisions returns a comment's earlier bodies, oldest first, to whoever may see it.
func (s *CommentService) FindRevisions(ctx context.Context, commentID string) ([]*parley.Revision, error) {
	if _, err := s.FindCommentByID(ctx, commentID); err != nil {
		return nil, err
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
	// The story's closed flag is checked again inside the statement, so a comment cannot
	// slip in after a moderator closed the story while the pipeline ran.
	var inserted int
	err = s.db.pool.QueryRow(ctx, `
		WITH c AS (
			INSERT INTO comments (id, story_id, site_id, author_id, parent_id, root_id, depth, body, body_source, status, created_at)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
			WHERE NOT (SELECT closed FROM stories WHERE id = $2)
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
			INSERT INTO comment_moderations (id, comment_id, action, decision, decided_by, trail, created_at)
			SELECT $16, $1, 'CREATE', $17, $18, $19, $11 FROM c WHERE $19::jsonb IS NOT NULL
		)
		SELECT count(*) FROM c`,
		c.ID, c.StoryID, c.SiteID, c.AuthorID, nullID(c.ParentID), c.RootID, c.Depth, c.Body, c.BodySource,
		string(c.Status), c.CreatedAt, rand.IntN(storyCountShards), newID(), parley.EventCommentCreated, payload,
		newID(), decision, decidedBy, trail).Scan(&inserted)
	if err != nil {
		return nil, translate(err)
	}
	if inserted == 0 {
		return nil, parley.Errorf(parley.ECLOSED, "This story is closed to new comments.")
	}
	return c, nil
}

// countComment adds delta to the counters a comment takes part in: its story's published
// count and its parent's reply count.
func countComment(ctx context.Context, tx pgx.Tx, c *parley.Comment, delta int) error {
	if c.Status == parley.StatusPublished {
		if _, err := tx.Exec(ctx, `
			INSERT INTO story_comment_counts (story_id, shard, count) VALUES ($1, $2, $3)
			ON CONFLICT (story_id, shard) DO UPDATE SET count = story_comment_counts.count + excluded.count`,
			c.StoryID, rand.IntN(storyCountShards), delta); err != nil {
			return err
		}
	}
	if c.ParentID != "" && (c.Status == parley.StatusPublished || c.Status == parley.StatusDeleted) {
		_, err := tx.Exec(ctx, `UPDATE comments SET reply_count = reply_count + $2 WHERE id = $1`, c.ParentID, delta)
		return err
	}
	return nil
}

// storyCountShards is how many rows hold one story's comment count.
const storyCountShards = 16

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
	switch {
	case settings.CommentingDisabled && settings.ClosedMessage != "":
		return parley.Errorf(parley.ECLOSED, "%s", settings.ClosedMessage)
	case settings.CommentingDisabled:
		return parley.Errorf(parley.ECLOSED, "Commenting is turned off on this site.")
	case story.Closed:
		return parley.Errorf(parley.ECLOSED, "This story is closed to new comments.")
	}
	return nil
}

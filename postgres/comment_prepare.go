package postgres

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// Bounds of the author's history a draft carries: counts stop at the site's new-commenter
// threshold, and at least at minCountedHistory, which is all the stages need; the rejection
// rate looks at the last recentDecisions decided comments of the last 30 days.
const (
	minCountedHistory = 20
	recentDecisions   = 100
)

// draftStory is the SQL of a story with its site's settings ("st"), for a story given by
// storyWhere. max_depth and counted are read from the settings in SQL so that placing a reply
// and counting the author's comments need no second round trip; $4 and $5 are their defaults.
func draftStory(storyWhere string) string {
	return `st AS (
		SELECT s.id, s.site_id, s.url, s.title, s.closed, s.moderation, s.created_at, s.updated_at, sites.settings,
			coalesce(s.open_since, s.created_at) AS open_since,
			coalesce((sites.settings->>'maxDepth')::int, $4) AS max_depth,
			greatest(coalesce((sites.settings->>'premodNewCommenters')::int, $5), $6) AS counted,
			coalesce((sites.settings->>'holdRejectionRate')::float8, 0) > 0 AS rate_held
		FROM stories s JOIN sites ON sites.id = s.site_id WHERE s.id = ` + storyWhere + `
	)`
}

// draftHistory is the SQL of the author's ($2) standing on the story's site, sanctions
// included, joined to "st": $3 is the body, compared with the author's recent comments other
// than excludeID; $7 bounds the recent decisions read. Every part reads a bounded number of
// rows from an index, so a write costs the same for an author's first comment and their
// hundred-thousandth (TestWriteCostIsFlat): each count by status reads at most st.counted
// entries of (author_id, site_id, status, created_at), in that index's order so that no plan
// reads the site's comments filtered by author instead; the recent decisions are the newest
// $7 of each status from the same index, merged, and only on a site that holds comments on
// a rejection rate (st.rate_held: no other stage reads them, so a site that does not skips
// them); and the repeat-post check looks up the body's hash in (author_id, site_id,
// md5(body_source), created_at), finding only the author's comments with the same text.
func draftHistory(excludeID string) string {
	return `CROSS JOIN LATERAL (
		SELECT coalesce((SELECT role FROM site_roles WHERE site_id = st.site_id AND user_id = $2), 'COMMENTER') AS role,
			(SELECT count(*) FROM (SELECT 1 FROM comments WHERE author_id = $2 AND site_id = st.site_id AND status = 'PUBLISHED' ORDER BY created_at DESC LIMIT st.counted) AS p) AS published,
			(SELECT count(*) FROM (SELECT 1 FROM comments WHERE author_id = $2 AND site_id = st.site_id AND status = 'PENDING' ORDER BY created_at DESC LIMIT st.counted) AS p) AS pending,
			(SELECT count(*) FROM (SELECT 1 FROM comments WHERE author_id = $2 AND site_id = st.site_id AND status = 'REJECTED' ORDER BY created_at DESC LIMIT st.counted) AS p) AS rejected,
			EXISTS (SELECT 1 FROM comments WHERE author_id = $2 AND site_id = st.site_id AND md5(body_source) = md5($3)
				AND created_at > now() - interval '10 minutes' AND body_source = $3 AND id IS DISTINCT FROM ` + excludeID + `) AS same_body,
			(SELECT coalesce(json_agg(json_build_object('id', id, 'siteID', coalesce(site_id::text, ''), 'kind', kind,
				'message', message, 'createdAt', created_at, 'expiresAt', expires_at, 'acknowledgedAt', acknowledged_at)), '[]')
			 FROM user_sanctions WHERE user_id = $2 AND (site_id = st.site_id OR site_id IS NULL) AND revoked_at IS NULL
				AND (expires_at IS NULL OR expires_at > now())) AS sanctions,
			coalesce((SELECT level FROM trust_levels WHERE site_id = st.site_id AND user_id = $2), 0) AS trust_level,
			(SELECT count(*) FROM federation_label_subscriptions ls JOIN federation_peers p ON p.id = ls.peer_id
			 WHERE ls.site_id = st.site_id AND p.state <> 'DEFEDERATED') AS label_subscriptions,
			coalesce((SELECT spam FROM spam_docs WHERE site_id = st.site_id), 0) AS spam_docs,
			coalesce((SELECT ham FROM spam_docs WHERE site_id = st.site_id), 0) AS ham_docs
	) AS h
	CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE status = 'REJECTED') AS rejected, count(*) AS total
		FROM (SELECT status FROM (
				(SELECT status, created_at FROM comments
				 WHERE st.rate_held AND author_id = $2 AND site_id = st.site_id AND status = 'PUBLISHED' AND created_at > now() - interval '30 days'
				 ORDER BY created_at DESC LIMIT $7)
				UNION ALL
				(SELECT status, created_at FROM comments
				 WHERE st.rate_held AND author_id = $2 AND site_id = st.site_id AND status = 'REJECTED' AND created_at > now() - interval '30 days'
				 ORDER BY created_at DESC LIMIT $7)
			) AS both_ ORDER BY created_at DESC LIMIT $7) AS last
	) AS recent`
}

// draftColumns are what every draft reads: the story, the settings, and the author's standing.
const draftColumns = `st.id, st.site_id, st.url, st.title, st.closed, st.moderation, st.created_at, st.updated_at, st.settings, st.open_since,
	h.role, h.published, h.pending, h.rejected, recent.rejected, recent.total, h.same_body, h.sanctions, h.trust_level,
	h.label_subscriptions, h.spam_docs, h.ham_docs`

// draftArgs are the arguments $2 to $7 that draftStory and draftHistory use.
func draftArgs(authorID, body string) []any {
	defaults := parley.DefaultSiteSettings()
	return []any{authorID, body, defaults.MaxDepth, defaults.PremodNewCommenters, minCountedHistory, recentDecisions}
}

// draftRow receives draftColumns.
type draftRow struct {
	story     parley.Story
	settings  []byte
	role      string
	history   parley.AuthorHistory
	sanctions []byte
	// trustLevel is the author's level on the site, from the trust tables.
	trustLevel int16
	site       parley.SiteFacts
}

func (r *draftRow) dest() []any {
	st, h := &r.story, &r.history
	return []any{&st.ID, &st.SiteID, &st.URL, &st.Title, &st.Closed, &st.Moderation, &st.CreatedAt, &st.UpdatedAt, &r.settings, &st.OpenSince,
		&r.role, &h.Published, &h.Pending, &h.Rejected, &h.RecentRejected, &h.RecentTotal, &h.SameBodyRecently, &r.sanctions, &r.trustLevel,
		&r.site.LabelSubscriptions, &r.site.SpamDocs.Spam, &r.site.SpamDocs.Ham}
}

// submission builds the part of a submission the row holds, for author u.
func (r *draftRow) submission(action parley.SubmissionAction, u *parley.User) (*parley.Submission, error) {
	settings := parley.DefaultSiteSettings()
	if err := json.Unmarshal(r.settings, &settings); err != nil {
		return nil, err
	}
	var active []struct {
		ID, SiteID, Kind, Message string
		CreatedAt                 time.Time
		ExpiresAt, AcknowledgedAt *time.Time
	}
	if err := json.Unmarshal(r.sanctions, &active); err != nil {
		return nil, err
	}
	r.story.ApplyAutoClose(settings.AutoCloseAfterDays, time.Now())
	site := r.site
	s := &parley.Submission{Action: action, Story: &r.story, Settings: settings, Author: u, Role: parley.Role(r.role), History: r.history, Site: &site}
	s.History.TrustLevel = parley.TrustLevel(r.trustLevel)
	for _, a := range active {
		s.History.Sanctions = append(s.History.Sanctions, &parley.Sanction{ID: a.ID, UserID: u.ID, SiteID: a.SiteID,
			Kind: parley.SanctionKind(a.Kind), Message: a.Message, CreatedAt: a.CreatedAt, ExpiresAt: a.ExpiresAt, AcknowledgedAt: a.AcknowledgedAt})
	}
	if u.Admin {
		s.Role = parley.RoleAdmin
	}
	return s, nil
}

// prepareCommentSQL reads a new comment's draft: its story ($1) and site settings, its
// author's standing (draftArgs, $2 to $7) and its place in the thread below the parent ($8).
// A reply below the site's depth cap hangs from the ancestor at the last allowed level, so
// threads stay readable on narrow screens: "up" climbs from the parent while too deep.
var prepareCommentSQL = `
		WITH RECURSIVE ` + draftStory(`$1`) + `, up AS (
			SELECT id, parent_id, root_id, depth, status, story_id, author_id FROM comments WHERE id = $8
			UNION ALL
			SELECT c.id, c.parent_id, c.root_id, c.depth, c.status, c.story_id, c.author_id
			FROM comments c JOIN up ON c.id = up.parent_id WHERE up.depth >= (SELECT max_depth FROM st)
		)
		SELECT ` + draftColumns + `,
			p.id, p.story_id, coalesce(p.author_id::text, ''), p.root_id, p.status, p.depth,
			t.id, t.story_id, coalesce(t.author_id::text, ''), t.root_id, t.status, t.depth
		FROM st ` + draftHistory(`NULL::uuid`) + `
		LEFT JOIN LATERAL (SELECT * FROM up WHERE id = $8) AS p ON true
		LEFT JOIN LATERAL (SELECT * FROM up ORDER BY depth LIMIT 1) AS t ON true`

// anyLength checks only a body's encoding: its length is judged once the site's settings are
// read, in the same round trip that needs the (trimmed) body to compare.
var anyLength = parley.SiteSettings{MaxCommentLength: math.MaxInt}

// PrepareComment validates a new comment and reads in one round trip its story and site
// settings, its place in the thread and its author's standing; a story given by URL is
// found (or created on first use) first. No lock is held when it returns.
func (s *CommentService) PrepareComment(ctx context.Context, in parley.CreateCommentInput) (*parley.Draft, error) {
	u, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	storyID := in.StoryID
	switch {
	case storyID != "":
	case in.StoryURL != "":
		story, err := NewStoryService(s.db).FindStoryByURL(ctx, in.StoryURL)
		if err != nil {
			return nil, err
		}
		storyID = story.ID
	default:
		return nil, parley.FieldErrorf("storyID", "Say which story the comment is for: storyID or storyURL.")
	}
	if !parley.IsID(storyID) {
		return nil, notFound("Story")
	}
	trimmed, err := parley.ValidateBody(in.Body, anyLength)
	if err != nil {
		return nil, err
	}
	var parentID any
	if in.ParentID != "" {
		if !parley.IsID(in.ParentID) {
			return nil, parley.Errorf(parley.ENOTFOUND, "The comment you are replying to was not found.")
		}
		parentID = in.ParentID
	}
	var row draftRow
	var parent, target struct {
		ID, StoryID, AuthorID, RootID, Status *string
		Depth                                 *int
	}
	args := append([]any{storyID}, draftArgs(u.ID, trimmed)...)
	err = s.db.pool.QueryRow(ctx, prepareCommentSQL,
		append(args, parentID)...).
		Scan(append(row.dest(), &parent.ID, &parent.StoryID, &parent.AuthorID, &parent.RootID, &parent.Status, &parent.Depth,
			&target.ID, &target.StoryID, &target.AuthorID, &target.RootID, &target.Status, &target.Depth)...)
	if err != nil {
		return nil, translateNotFound(err, "Story")
	}
	sub, err := row.submission(parley.ActionCreate, u)
	if err != nil {
		return nil, err
	}
	if err := closed(sub.Story, sub.Settings); err != nil {
		return nil, err
	}
	body, err := parley.ValidateBody(in.Body, sub.Settings)
	if err != nil {
		return nil, err
	}
	c := &parley.Comment{ID: newID(), StoryID: sub.Story.ID, SiteID: sub.Story.SiteID, AuthorID: u.ID,
		BodySource: body, Body: s.renderer.Render(body), Status: parley.StatusPublished,
		CreatedAt: s.db.now().UTC().Truncate(time.Microsecond)}
	c.RootID = c.ID
	d := &parley.Draft{Submission: *sub}
	d.Comment = c
	if parentID == nil {
		return d, nil
	}
	// The parent answers as findVisibleComment would: what the author may not see is not
	// found, whatever its status.
	mayModerate := sub.Role.AtLeast(parley.RoleModerator)
	seen := func(status, authorID string) bool {
		return status == string(parley.StatusPublished) || status == string(parley.StatusDeleted) || authorID == u.ID || mayModerate
	}
	switch {
	case parent.ID == nil || !seen(*parent.Status, *parent.AuthorID):
		return nil, parley.Errorf(parley.ENOTFOUND, "The comment you are replying to was not found.")
	case *parent.StoryID != c.StoryID:
		return nil, parley.FieldErrorf("parentID", "The comment you are replying to belongs to another story.")
	case *parent.Status != string(parley.StatusPublished):
		return nil, parley.FieldErrorf("parentID", "You can only reply to published comments.")
	case target.ID == nil || *target.Depth >= sub.Settings.MaxDepth || !seen(*target.Status, *target.AuthorID):
		return nil, parley.Errorf(parley.ENOTFOUND, "The comment you are replying to was not found.")
	}
	c.ParentID, c.RootID, c.Depth = *target.ID, *target.RootID, *target.Depth+1
	d.RepliedToAuthorID = *parent.AuthorID
	return d, nil
}

// PrepareEdit checks that the caller may edit the comment now and reads, in one round trip,
// the comment, its story and site settings and the author's standing. The draft's Previous is
// the comment as it stands, and its Version the version the write will expect.
func (s *CommentService) PrepareEdit(ctx context.Context, in parley.EditCommentInput) (*parley.Draft, error) {
	u, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	if !parley.IsID(in.CommentID) {
		return nil, notFound("Comment")
	}
	trimmed, err := parley.ValidateBody(in.Body, anyLength)
	if err != nil {
		return nil, err
	}
	var row draftRow
	args := append([]any{in.CommentID}, draftArgs(u.ID, trimmed)...)
	prev, err := scanComment(rowFunc(func(dest ...any) error {
		return s.db.pool.QueryRow(ctx, `
			WITH c AS (SELECT `+commentColumns+` FROM comments WHERE id = $1), `+draftStory(`(SELECT story_id FROM c)`)+`
			SELECT c.*, `+draftColumns+`
			FROM c CROSS JOIN st `+draftHistory(`$1::uuid`),
			args...).Scan(append(dest, row.dest()...)...)
	}))
	if err != nil {
		return nil, translateNotFound(err, "Comment")
	}
	sub, err := row.submission(parley.ActionEdit, u)
	if err != nil {
		return nil, err
	}
	switch {
	case prev.AuthorID != u.ID && prev.Status != parley.StatusPublished && prev.Status != parley.StatusDeleted &&
		!sub.Role.AtLeast(parley.RoleModerator):
		return nil, notFound("Comment")
	case prev.AuthorID != u.ID:
		return nil, parley.Errorf(parley.EFORBIDDEN, "You can only edit your own comments.")
	case prev.Status == parley.StatusDeleted:
		return nil, parley.Errorf(parley.ENOTFOUND, "This comment was deleted.")
	case in.Version != 0 && in.Version != prev.Version:
		return nil, errEditRaced
	case prev.Status == parley.StatusRejected:
		return nil, parley.Errorf(parley.EFORBIDDEN, "A rejected comment can't be edited.")
	case sub.Story.Closed:
		return nil, parley.Errorf(parley.ECLOSED, "This story is closed; its comments can no longer be edited.")
	}
	if window := sub.Settings.EditWindow(); s.db.now().Sub(prev.CreatedAt) > window {
		return nil, parley.Errorf(parley.EFORBIDDEN, "Comments can be edited for %s after posting; this one can no longer be edited.", window)
	}
	body, err := parley.ValidateBody(in.Body, sub.Settings)
	if err != nil {
		return nil, err
	}
	// An edit is judged like a new comment: an approved comment whose new text is held or
	// rejected leaves public view.
	next := *prev
	next.Body, next.BodySource = s.renderer.Render(body), body
	if body == prev.BodySource {
		next.Body = prev.Body
	}
	d := &parley.Draft{Submission: *sub, Version: prev.Version}
	d.Comment, d.Previous = &next, prev
	return d, nil
}

// rowFunc lets a scan function read part of a wider row.
type rowFunc func(dest ...any) error

func (f rowFunc) Scan(dest ...any) error { return f(dest...) }

var _ pgx.Row = rowFunc(nil)

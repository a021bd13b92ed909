package postgres

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// SanctionService implements parley.SanctionStore: sanctions, moderators' notes, and the
// rejections that a rule attaches to a sanction.
type SanctionService struct{ db *DB }

// NewSanctionService returns a SanctionService on db.
func NewSanctionService(db *DB) *SanctionService { return &SanctionService{db: db} }

var _ parley.SanctionStore = (*SanctionService)(nil)

const sanctionColumns = `id, user_id, coalesce(site_id::text, ''), kind, message, coalesce(moderator_id::text, ''),
	created_at, expires_at, revoked_at, acknowledged_at`

func scanSanction(row pgx.Row) (*parley.Sanction, error) {
	var s parley.Sanction
	var kind string
	err := row.Scan(&s.ID, &s.UserID, &s.SiteID, &kind, &s.Message, &s.ModeratorID, &s.CreatedAt, &s.ExpiresAt, &s.RevokedAt, &s.AcknowledgedAt)
	s.Kind = parley.SanctionKind(kind)
	return &s, err
}

// activeSanctions is the SQL of a user's ($1) active sanctions on a site ($2) and everywhere.
const activeSanctions = `SELECT ` + sanctionColumns + ` FROM user_sanctions
	WHERE user_id = $1 AND (site_id = $2 OR site_id IS NULL) AND revoked_at IS NULL
	AND (expires_at IS NULL OR expires_at > now())
	ORDER BY created_at DESC, id DESC`

// requireModeratorOf checks that the caller may act on users of a site: its moderators, or
// admins; siteID "" (every site) is for admins.
func requireModeratorOf(ctx context.Context, q querier, siteID string) error {
	if siteID == "" {
		return requireAdmin(ctx)
	}
	if _, err := findSite(ctx, q, siteID, false); err != nil {
		return err
	}
	return requireSiteRole(ctx, q, siteID, parley.RoleModerator)
}

// Sanction imposes a sanction and leaves the user's comments as they are: what a sanction
// does to them is a rule of package moderation, which calls ImposeSanction.
func (s *SanctionService) Sanction(ctx context.Context, in parley.SanctionInput) (*parley.Sanction, error) {
	return s.ImposeSanction(ctx, in, nil)
}

// ImposeSanction imposes a sanction and, with reject, rejects the user's published and
// pending comments within its reach, in one transaction.
func (s *SanctionService) ImposeSanction(ctx context.Context, in parley.SanctionInput, reject *parley.ActionReason) (*parley.Sanction, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *parley.Sanction
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := requireModeratorOf(ctx, tx, in.SiteID); err != nil {
			return err
		}
		target, err := NewUserService(s.db).FindUserByID(ctx, in.UserID)
		if err != nil {
			return err
		}
		if target.ID == parley.UserIDFromContext(ctx) {
			return parley.FieldErrorf("userID", "You can't sanction yourself.")
		}
		if target.Admin {
			return parley.Errorf(parley.EFORBIDDEN, "Administrators can't be sanctioned.")
		}
		var expires *time.Time
		if in.Kind == parley.SanctionSuspend {
			t := s.db.now().Add(in.Duration)
			expires = &t
		}
		out, err = scanSanction(tx.QueryRow(ctx, `
			INSERT INTO user_sanctions (id, user_id, site_id, kind, message, moderator_id, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+sanctionColumns,
			newID(), in.UserID, nullID(in.SiteID), string(in.Kind), in.Message, nullID(parley.UserIDFromContext(ctx)), expires))
		if err != nil {
			return err
		}
		if reject != nil {
			if err := rejectAllBy(ctx, tx, in.UserID, in.SiteID, *reject); err != nil {
				return err
			}
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: in.SiteID, Payload: parley.UserSanctioned{
			SanctionID: out.ID, UserID: out.UserID, SanctionKind: out.Kind, ModeratorID: out.ModeratorID, ExpiresAt: out.ExpiresAt}})
	})
	return out, err
}

// rejectAllBy rejects a user's published and pending comments (on one site, or all), moving
// the counters and logging each as the caller's rejection, for why.
func rejectAllBy(ctx context.Context, tx pgx.Tx, userID, siteID string, why parley.ActionReason) error {
	comments, err := collectComments(tx.Query(ctx, `
		SELECT `+commentColumns+` FROM comments
		WHERE author_id = $1 AND ($2::uuid IS NULL OR site_id = $2) AND status IN ('PUBLISHED', 'PENDING')
		FOR UPDATE`, userID, nullID(siteID)))
	if err != nil {
		return err
	}
	for _, prev := range comments {
		// The reply count is read again: rejecting an earlier comment of the batch may have
		// moved it, when one replies to the other.
		c := *prev
		c.Status = parley.StatusRejected
		if err := tx.QueryRow(ctx, `UPDATE comments SET status = 'REJECTED', moderated_at = now(), version = version + 1 WHERE id = $1 RETURNING version, reply_count`,
			c.ID).Scan(&c.Version, &c.SharedReplyCount); err != nil {
			return err
		}
		c.ReplyCount = c.SharedReplyCount
		if err := restatus(ctx, tx, &c, prev.Status); err != nil {
			return err
		}
		if err := logAction(ctx, tx, &c, parley.ActionReject, why.Reason, why.Note, prev.Status); err != nil {
			return err
		}
	}
	return nil
}

// RevokeSanction lifts a sanction; the moderators who could impose it may.
func (s *SanctionService) RevokeSanction(ctx context.Context, id string) (*parley.Sanction, error) {
	var out *parley.Sanction
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := findSanction(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := requireModeratorOf(ctx, tx, cur.SiteID); err != nil {
			return err
		}
		out, err = scanSanction(tx.QueryRow(ctx, `
			UPDATE user_sanctions SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING `+sanctionColumns, id))
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, parley.Event{SiteID: out.SiteID, Payload: parley.UserSanctioned{
			SanctionID: out.ID, UserID: out.UserID, SanctionKind: out.Kind, ModeratorID: out.ModeratorID, ExpiresAt: out.ExpiresAt,
			RevokedAt: out.RevokedAt, RevokedBy: parley.UserIDFromContext(ctx)}})
	})
	return out, err
}

// AcknowledgeSanction records that the user read a warning or message.
func (s *SanctionService) AcknowledgeSanction(ctx context.Context, id string) (*parley.Sanction, error) {
	u, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := findSanction(ctx, s.db.pool, id)
	if err != nil || cur.UserID != u.ID {
		return nil, notFound("Sanction")
	}
	return scanSanction(s.db.pool.QueryRow(ctx, `
		UPDATE user_sanctions SET acknowledged_at = coalesce(acknowledged_at, now()) WHERE id = $1 RETURNING `+sanctionColumns, id))
}

func findSanction(ctx context.Context, q querier, id string) (*parley.Sanction, error) {
	if !parley.IsID(id) {
		return nil, notFound("Sanction")
	}
	sc, err := scanSanction(q.QueryRow(ctx, `SELECT `+sanctionColumns+` FROM user_sanctions WHERE id = $1`, id))
	if err != nil {
		return nil, translateNotFound(err, "Sanction")
	}
	return sc, nil
}

// FindSanctions lists a user's sanctions on a site: for the user, and for the site's moderators.
func (s *SanctionService) FindSanctions(ctx context.Context, userID, siteID string, activeOnly bool) ([]*parley.Sanction, error) {
	if err := s.mayRead(ctx, userID, siteID); err != nil {
		return nil, err
	}
	sql := activeSanctions
	if !activeOnly {
		sql = `SELECT ` + sanctionColumns + ` FROM user_sanctions
			WHERE user_id = $1 AND (site_id = $2 OR site_id IS NULL) ORDER BY created_at DESC, id DESC`
	}
	rows, err := s.db.pool.Query(ctx, sql, userID, siteID)
	if err != nil {
		return nil, translate(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.Sanction, error) { return scanSanction(r) })
	return out, translate(err)
}

// mayRead lets users read their own standing, and moderators that of a site's users.
func (s *SanctionService) mayRead(ctx context.Context, userID, siteID string) error {
	if !parley.IsID(userID) {
		return notFound("User")
	}
	if _, err := findSite(ctx, s.db.pool, siteID, false); err != nil {
		return err
	}
	if u := parley.UserFromContext(ctx); u != nil && u.ID == userID {
		return nil
	}
	return translate(requireSiteRole(ctx, s.db.pool, siteID, parley.RoleModerator))
}

// AddNote adds a moderator's note on a user.
func (s *SanctionService) AddNote(ctx context.Context, userID, siteID, body string) (*parley.UserNote, error) {
	body = strings.TrimSpace(body)
	if parley.VisibleLength(body) == 0 || !utf8.ValidString(body) || utf8.RuneCountInString(body) > parley.MaxUserNoteLength {
		return nil, parley.FieldErrorf("body", "A note is text of 1 to %d characters.", parley.MaxUserNoteLength)
	}
	if err := requireModeratorOf(ctx, s.db.pool, siteID); err != nil {
		return nil, translate(err)
	}
	if siteID == "" {
		return nil, parley.FieldErrorf("siteID", "Say which site the note is for.")
	}
	if _, err := NewUserService(s.db).FindUserByID(ctx, userID); err != nil {
		return nil, err
	}
	n := &parley.UserNote{ID: newID(), UserID: userID, SiteID: siteID, ModeratorID: parley.UserIDFromContext(ctx), Body: body}
	err := s.db.pool.QueryRow(ctx, `
		INSERT INTO user_notes (id, user_id, site_id, moderator_id, body) VALUES ($1, $2, $3, $4, $5) RETURNING created_at`,
		n.ID, userID, siteID, n.ModeratorID, body).Scan(&n.CreatedAt)
	return n, translate(err)
}

// FindNotes lists the moderators' notes on a user, newest first; for the site's moderators.
func (s *SanctionService) FindNotes(ctx context.Context, userID, siteID string) ([]*parley.UserNote, error) {
	if siteID == "" {
		return nil, parley.FieldErrorf("siteID", "Say which site's notes.")
	}
	if err := requireModeratorOf(ctx, s.db.pool, siteID); err != nil {
		return nil, translate(err)
	}
	rows, err := s.db.pool.Query(ctx, `
		SELECT id, user_id, site_id, coalesce(moderator_id::text, ''), body, created_at FROM user_notes
		WHERE user_id = $1 AND site_id = $2 ORDER BY created_at DESC, id DESC`, validID(userID), siteID)
	if err != nil {
		return nil, translate(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.UserNote, error) {
		var n parley.UserNote
		err := r.Scan(&n.ID, &n.UserID, &n.SiteID, &n.ModeratorID, &n.Body, &n.CreatedAt)
		return &n, err
	})
	return out, translate(err)
}

// CommentCounts counts a user's comments on a site by status, for the site's moderators.
func (s *SanctionService) CommentCounts(ctx context.Context, userID, siteID string) (*parley.CommentCounts, error) {
	if err := requireModeratorOf(ctx, s.db.pool, siteID); err != nil || siteID == "" {
		if err == nil {
			err = parley.FieldErrorf("siteID", "Say which site.")
		}
		return nil, translate(err)
	}
	var c parley.CommentCounts
	err := s.db.pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE status = 'PUBLISHED'), count(*) FILTER (WHERE status = 'PENDING'),
			count(*) FILTER (WHERE status = 'REJECTED'), count(*) FILTER (WHERE status = 'DELETED')
		FROM comments WHERE author_id = $1 AND site_id = $2`, validID(userID), siteID).
		Scan(&c.Published, &c.Pending, &c.Rejected, &c.Deleted)
	return &c, translate(err)
}

// FindUserComments returns a page of a user's comments on a site, every status, newest first.
func (s *SanctionService) FindUserComments(ctx context.Context, userID, siteID string, first int, after *parley.Cursor) (*parley.CommentPage, error) {
	if siteID == "" {
		return nil, parley.FieldErrorf("siteID", "Say which site.")
	}
	if err := requireModeratorOf(ctx, s.db.pool, siteID); err != nil {
		return nil, translate(err)
	}
	args := []any{validID(userID), siteID, first + 1}
	if after != nil {
		args = append(args, after.Time, after.ID)
	}
	comments, err := collectComments(s.db.pool.Query(ctx, userCommentsSQL(after != nil), args...))
	if err != nil {
		return nil, translate(err)
	}
	return pageOf(comments, first), nil
}

// userCommentsSQL is the SQL of a page of a user's ($1) comments on a site ($2), newest first,
// $3 of them, after the cursor ($4, $5) when after. Each status is a range of
// (author_id, site_id, status, created_at DESC), read in order and merged, so a page costs
// the same however many comments the user wrote.
func userCommentsSQL(after bool) string {
	cond := ``
	if after {
		cond = ` AND (created_at, id) < ($4, $5)`
	}
	var parts []string
	for _, status := range []parley.CommentStatus{parley.StatusPublished, parley.StatusPending, parley.StatusRejected, parley.StatusDeleted} {
		parts = append(parts, `(SELECT * FROM comments
			WHERE author_id = $1 AND site_id = $2 AND status = '`+string(status)+`'`+cond+`
			ORDER BY created_at DESC, id DESC LIMIT $3)`)
	}
	return `SELECT ` + commentColumns + ` FROM (` + strings.Join(parts, ` UNION ALL `) + `) AS comments
		ORDER BY created_at DESC, id DESC LIMIT $3`
}

// validID passes an ID through, or a nil UUID that matches nothing for a malformed one.
func validID(id string) string {
	if parley.IsID(id) {
		return id
	}
	return "00000000-0000-0000-0000-000000000000"
}

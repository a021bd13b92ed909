package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// Mutes are a reader's private choice: no event describes them, because nothing but the
// reader's own widget acts on them and webhooks or peers must not learn who mutes whom.

// MuteUser hides a user's comments from the caller. Muting twice changes nothing; the
// caller may mute at most parley.MaxMutedUsers people.
func (s *UserService) MuteUser(ctx context.Context, userID string) (*parley.User, error) {
	var muted *parley.User
	err := s.db.inTx(ctx, func(tx pgx.Tx) (err error) {
		var me *parley.User
		if me, muted, err = muteTarget(ctx, tx, userID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM user_mutes WHERE muter_id = $1`, me.ID).Scan(&n); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO user_mutes (muter_id, muted_id) VALUES ($1, $2)
			ON CONFLICT (muter_id, muted_id) DO NOTHING`, me.ID, muted.ID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() > 0 && n >= parley.MaxMutedUsers {
			return parley.FieldErrorf("userID", "You can mute at most %d people; unmute someone first.", parley.MaxMutedUsers)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return muted, nil
}

// UnmuteUser takes a mute back; unmuting a user who is not muted changes nothing.
func (s *UserService) UnmuteUser(ctx context.Context, userID string) (*parley.User, error) {
	var muted *parley.User
	err := s.db.inTx(ctx, func(tx pgx.Tx) (err error) {
		var me *parley.User
		if me, muted, err = muteTarget(ctx, tx, userID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM user_mutes WHERE muter_id = $1 AND muted_id = $2`, me.ID, muted.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return muted, nil
}

// muteTarget checks a mute or unmute: the caller is signed in, names someone else, and that
// user exists. The user's row is locked against deletion until the transaction ends.
func muteTarget(ctx context.Context, tx pgx.Tx, userID string) (me, target *parley.User, err error) {
	if me, err = requireUser(ctx); err != nil {
		return nil, nil, err
	}
	if userID == me.ID {
		return nil, nil, parley.FieldErrorf("userID", "You can't mute yourself.")
	}
	if !parley.IsID(userID) {
		return nil, nil, notFound("User")
	}
	target, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 FOR SHARE`, userID))
	if err != nil {
		return nil, nil, translateNotFound(err, "User")
	}
	return me, target, nil
}

// FindMutedUsers returns the users the caller muted, most recent first.
func (s *UserService) FindMutedUsers(ctx context.Context) ([]*parley.User, error) {
	me, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.pool.Query(ctx, `
		SELECT u.* FROM user_mutes
		JOIN LATERAL (SELECT `+userColumns+` FROM users WHERE id = user_mutes.muted_id) AS u ON true
		WHERE user_mutes.muter_id = $1 ORDER BY user_mutes.created_at DESC, user_mutes.muted_id`, me.ID)
	if err != nil {
		return nil, translate(err)
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*parley.User, error) { return scanUser(r) })
	return users, translate(err)
}

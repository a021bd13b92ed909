package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

var _ parley.AccountDeletions = (*AccountStore)(nil)

// ScheduleDeletion marks an account for erasure and signs it out everywhere, in one
// transaction (see parley.AccountDeletions).
func (s *AccountStore) ScheduleDeletion(ctx context.Context, userID string, due time.Time, removeComments bool) error {
	if !parley.IsID(userID) {
		return notFound("User")
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		var admin bool
		if err := tx.QueryRow(ctx, `SELECT admin FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&admin); err != nil {
			return translateNotFound(err, "User")
		}
		if admin {
			if err := lastAdmin(ctx, tx, userID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `
			UPDATE users SET deletion_requested_at = now(), deletion_due_at = $2, deletion_removes_comments = $3
			WHERE id = $1`, userID, due, removeComments); err != nil {
			return err
		}
		// The tokens are revoked at the very time the deletion is requested (now() is the
		// transaction's), which is how CancelDeletion knows the API tokens to restore.
		res, err := tx.Exec(ctx, `UPDATE tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, userID)
		if err != nil {
			return err
		}
		if res.RowsAffected() == 0 {
			return nil
		}
		return insertEvent(ctx, tx, parley.Event{Payload: parley.TokensRevoked{UserID: userID}})
	})
}

// CancelDeletion cancels a scheduled erasure whose grace has not ended and restores the API
// tokens the deletion revoked: those whose revoked_at is the deletion's request time, which
// ScheduleDeletion gave them (see parley.AccountDeletions). It locks the account row, so it
// waits for an erasure job that holds it, and then finds the account gone (ENOTFOUND).
func (s *AccountStore) CancelDeletion(ctx context.Context, userID string, now time.Time) (bool, int, error) {
	if !parley.IsID(userID) {
		return false, 0, notFound("User")
	}
	var cancelled bool
	var restored int
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var due, requested *time.Time
		if err := tx.QueryRow(ctx, `SELECT deletion_due_at, deletion_requested_at FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&due, &requested); err != nil {
			return translateNotFound(err, "User")
		}
		switch {
		case due == nil:
			return nil
		case !due.After(now):
			return parley.Errorf(parley.EUNAUTHENTICATED, "This account is being erased, as its owner asked; it can no longer be signed in to.")
		}
		if _, err := tx.Exec(ctx, `
			UPDATE users SET deletion_requested_at = NULL, deletion_due_at = NULL, deletion_removes_comments = false
			WHERE id = $1`, userID); err != nil {
			return err
		}
		if requested != nil {
			res, err := tx.Exec(ctx, `
				UPDATE tokens SET revoked_at = NULL
				WHERE user_id = $1 AND kind = 'api' AND revoked_at = $2 AND (expires_at IS NULL OR expires_at > now())`, userID, *requested)
			if err != nil {
				return err
			}
			restored = int(res.RowsAffected())
		}
		cancelled = true
		return nil
	})
	if err != nil {
		return false, 0, err
	}
	return cancelled, restored, nil
}

// EraseDueAccounts erases the accounts whose grace has ended, one transaction each (see
// parley.AccountDeletions).
func (s *AccountStore) EraseDueAccounts(ctx context.Context, now time.Time) (int, error) {
	erased := 0
	for {
		done, err := s.eraseNextDue(ctx, now)
		if err != nil || done == "" {
			return erased, err
		}
		if done != "kept" {
			erased++
		}
	}
}

// eraseNextDue claims one due account and erases it; it answers "" when none is left, "kept"
// when the account was the last administrator (whose scheduled erasure is then cancelled,
// since erasing it would leave the instance without one), else the erased account's ID.
func (s *AccountStore) eraseNextDue(ctx context.Context, now time.Time) (string, error) {
	var result string
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var (
			userID         string
			admin, removal bool
		)
		err := tx.QueryRow(ctx, `
			SELECT id, admin, deletion_removes_comments FROM users
			WHERE deletion_due_at <= $1 ORDER BY deletion_due_at, id LIMIT 1
			FOR UPDATE SKIP LOCKED`, now).Scan(&userID, &admin, &removal)
		if err == pgx.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		if admin {
			if err := lastAdmin(ctx, tx, userID); parley.ErrorCode(err) == parley.ECONFLICT {
				s.db.logger.WarnContext(ctx, "scheduled erasure of the last administrator cancelled", "user_id", userID)
				result = "kept"
				_, err := tx.Exec(ctx, `UPDATE users SET deletion_requested_at = NULL, deletion_due_at = NULL WHERE id = $1`, userID)
				return err
			} else if err != nil {
				return err
			}
		}
		if err := eraseAccount(ctx, tx, userID, removal); err != nil {
			return err
		}
		result = userID
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("erase account: %w", err)
	}
	return result, nil
}

// removeCommentRows removes the erased account's tombstones that no reply hangs from; it
// runs until none is left, so a chain of the account's own replies goes from the leaves up.
// Their comment.deleted events were written when they became tombstones.
const removeCommentRows = `
	DELETE FROM comments c WHERE c.author_id = $1 AND c.status = 'DELETED'
		AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = c.id)`

// eraseAccount runs deleteAccountSteps in tx, removing the comments' rows too when asked,
// and writes the events that make every replica forget the account and its tokens.
func eraseAccount(ctx context.Context, tx pgx.Tx, userID string, removeComments bool) error {
	var roots []string
	if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(DISTINCT root_id::text), '{}') FROM comments WHERE author_id = $1 AND root_id IS NOT NULL`, userID).Scan(&roots); err != nil {
		return fmt.Errorf("read threads: %w", err)
	}
	for _, step := range deleteAccountSteps {
		if step.what == "count replies" && removeComments {
			for {
				res, err := tx.Exec(ctx, removeCommentRows, userID)
				if err != nil {
					return fmt.Errorf("remove comments: %w", err)
				}
				if res.RowsAffected() == 0 {
					break
				}
			}
			if _, err := tx.Exec(ctx, recountThreads(`$1::uuid[]`), roots); err != nil {
				return fmt.Errorf("count replies: %w", err)
			}
			continue
		}
		if _, err := tx.Exec(ctx, step.sql, userID); err != nil {
			return fmt.Errorf("%s: %w", step.what, err)
		}
	}
	if err := insertEvent(ctx, tx, parley.Event{Payload: parley.TokensRevoked{UserID: userID}}); err != nil {
		return err
	}
	return insertEvent(ctx, tx, parley.Event{Payload: parley.UserDeleted{ID: userID}})
}

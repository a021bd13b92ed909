package parley

import (
	"context"
	"time"
)

// DefaultDeletionGrace is how long a deleted account waits before it is erased, unless the
// operator sets another grace: long enough for a reader who changes their mind, or whose
// account was deleted by someone holding their session, to come back and sign in.
const DefaultDeletionGrace = 14 * 24 * time.Hour

// AccountDeletions is an optional AccountStore capability: deletion with a grace period.
// When the store has it, AuthService.DeleteAccount schedules the erasure instead of erasing
// at once, signing in cancels a scheduled erasure, and a job erases the accounts whose grace
// has ended.
type AccountDeletions interface {
	// ScheduleDeletion marks the account for erasure at due and revokes all its sessions and
	// API tokens (with a user.tokens_revoked event), in one transaction; removeComments says
	// that the erasure removes the account's comments instead of leaving tombstones. The last
	// administrator is ECONFLICT, as for DeleteUser.
	ScheduleDeletion(ctx context.Context, userID string, due time.Time, removeComments bool) error
	// CancelDeletion cancels the account's scheduled erasure when its grace has not ended at
	// now and reports whether there was one. In the same transaction it restores the API
	// tokens that ScheduleDeletion revoked (not those revoked before, nor expired ones) and
	// answers how many; sessions stay revoked, since whoever deleted the account may have
	// held one. An account whose grace has ended is EUNAUTHENTICATED: its erasure has begun,
	// so it cannot be signed in to.
	CancelDeletion(ctx context.Context, userID string, now time.Time) (cancelled bool, restoredAPITokens int, err error)
	// EraseDueAccounts erases every account whose grace ended at or before now, one
	// transaction per account, and answers how many it erased. Any number of replicas may
	// run it at once: each account is claimed with FOR UPDATE SKIP LOCKED, so none is erased
	// twice and a failure leaves that account whole for the next run.
	EraseDueAccounts(ctx context.Context, now time.Time) (int, error)
}

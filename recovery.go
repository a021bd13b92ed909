package parley

import (
	"context"
	"time"
)

// Purposes of an account token: what following the link in a mail does.
const (
	TokenVerifyEmail    = "verify"
	TokenResetPassword  = "reset"
	TokenEmailChangeNew = "email_change_new"
	TokenEmailChangeOld = "email_change_old"
)

// Lifetimes of account tokens. A reset link is short-lived because it is as good as the
// password; the others only confirm an address.
const (
	ResetTokenTTL   = time.Hour
	ConfirmTokenTTL = 7 * 24 * time.Hour
)

// AccountToken is a single-use secret sent by mail. Only its SHA-256 hash is stored, so a
// copy of the database lets no one reset a password.
type AccountToken struct {
	Hash    []byte
	UserID  string
	Purpose string
	// Email is the address the token confirms: the account's for verification, the new
	// address for both halves of an email change.
	Email string
	// ChangeID pairs the two tokens of one email change; the change happens when both are used.
	ChangeID  string
	ExpiresAt time.Time
}

// RecoveryStore is the storage of account tokens and of what using one changes. Each method
// that uses a token marks it used in the same transaction as its effect, so a token works
// once and nothing is half-written.
type RecoveryStore interface {
	// FindUserByEmail finds an account by its address, case-insensitively; ENOTFOUND if none.
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	// IssueAccountTokens stores tokens and queues their mails (one per token, same order)
	// in one transaction.
	IssueAccountTokens(ctx context.Context, tokens []*AccountToken, mails []*Mail) error
	// ResetPassword uses a reset token live at now: it sets the password hash, revokes every
	// session of the account and voids its other reset tokens. A token that is unknown, used
	// or expired is ENOTFOUND.
	ResetPassword(ctx context.Context, hash []byte, now time.Time, passwordHash string) (*User, error)
	// VerifyEmail uses a verification token: the account's address is verified if it is
	// still the one the token was sent to. In the same transaction, the author's comments
	// held only for want of a verified address (decided by StageVerifiedEmail, with no
	// person's decision or other hold standing) are published the way a moderator's
	// approval publishes them, with the same log entry and CommentModerated event (no
	// moderator, reason ReasonEmailVerified); comments held for any other reason stay held.
	VerifyEmail(ctx context.Context, hash []byte, now time.Time) (*User, error)
	// ConfirmEmailChange uses one half of an email change. When the other half was used
	// already, the account's address becomes the new one (verified), the held comments are
	// released as VerifyEmail releases them, and done is true. A new address taken meanwhile
	// by another account is ECONFLICT, and nothing changes.
	ConfirmEmailChange(ctx context.Context, hash []byte, now time.Time) (u *User, done bool, err error)
	// EmailVerified reports whether the user's current address was verified.
	EmailVerified(ctx context.Context, userID string) (bool, error)
}

// RecoveryService is what readers do with their address: verify it, reset a forgotten
// password, change it. Every answer that could tell whether an address has an account is
// the same either way.
type RecoveryService interface {
	// RequestPasswordReset mails a reset link when the address has an account with a
	// password, and answers the same when it has not.
	RequestPasswordReset(ctx context.Context, email, lang string) error
	// ResetPassword sets a new password with a reset token, signing the account out
	// everywhere.
	ResetPassword(ctx context.Context, token, password string) error
	// VerifyEmail verifies the address a verification token was sent to.
	VerifyEmail(ctx context.Context, token string) error
	// SendVerification mails the signed-in user a verification link.
	SendVerification(ctx context.Context, lang string) error
	// ChangeEmail mails confirmation links to the signed-in user's current and new address;
	// the change happens when both are followed.
	ChangeEmail(ctx context.Context, newEmail, password, lang string) error
	// ConfirmEmailChange follows one of those links; done tells whether the change happened.
	ConfirmEmailChange(ctx context.Context, token string) (done bool, err error)
	// EmailVerified reports whether the user's address was verified.
	EmailVerified(ctx context.Context, userID string) (bool, error)
}

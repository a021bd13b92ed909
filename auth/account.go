package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
)

// DeleteAccount erases the signed-in user's account once they confirm it: with their
// password when the account has one, else with parley.DeleteConfirmation. A wrong password is
// EINVALID on "password" rather than EUNAUTHENTICATED, since the session itself is fine; it
// costs one argon2 verification, and the API's per-account mutation limit bounds guessing.
func (s *Service) DeleteAccount(ctx context.Context, in parley.DeleteAccountInput) error {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return parley.Errorf(parley.EUNAUTHENTICATED, "Please sign in to delete your account.")
	}
	hash, err := s.store.PasswordHash(ctx, u.ID)
	if err != nil {
		return fmt.Errorf("auth: read password hash: %w", err)
	}
	if err := s.confirmDeletion(ctx, in, hash); err != nil {
		return err
	}
	if d, ok := s.store.(parley.AccountDeletions); ok {
		due := s.now().Add(s.deletionGrace)
		if err := d.ScheduleDeletion(ctx, u.ID, due, in.RemoveComments); err != nil {
			if parley.ErrorCode(err) != parley.EINTERNAL {
				return err
			}
			return fmt.Errorf("auth: schedule deletion of user %s: %w", u.ID, err)
		}
		s.forgetUser(u.ID) // signed out everywhere; the other replicas forget on the event
		s.log.InfoContext(ctx, "account deletion scheduled", "user_id", u.ID, "due", due)
		return nil
	}
	if err := s.store.DeleteUser(ctx, u.ID); err != nil {
		return fmt.Errorf("auth: delete user %s: %w", u.ID, err)
	}
	if s.identities != nil {
		s.identities.DropUser(u.ID) // the other replicas drop it on the account's event
	}
	s.log.InfoContext(ctx, "account deleted", "user_id", u.ID)
	return nil
}

// cancelDeletion cancels the user's scheduled erasure on a sign-in and says whether there
// was one; a store without parley.AccountDeletions has none. A sign-in after the grace has
// ended is refused (the store's EUNAUTHENTICATED), as is one to an account just erased.
func (s *Service) cancelDeletion(ctx context.Context, userID string, now time.Time) (bool, int, error) {
	d, ok := s.store.(parley.AccountDeletions)
	if !ok {
		return false, 0, nil
	}
	cancelled, restored, err := d.CancelDeletion(ctx, userID, now)
	switch parley.ErrorCode(err) {
	case "":
	case parley.EUNAUTHENTICATED:
		return false, 0, err
	case parley.ENOTFOUND:
		return false, 0, errBadCredentials()
	default:
		return false, 0, fmt.Errorf("auth: cancel deletion of user %s: %w", userID, err)
	}
	if cancelled {
		s.log.InfoContext(ctx, "account deletion cancelled by signing in; API tokens restored", "user_id", userID, "api_tokens", restored)
	}
	return cancelled, restored, nil
}

func (s *Service) confirmDeletion(ctx context.Context, in parley.DeleteAccountInput, hash string) error {
	if hash == "" {
		if in.Confirm != parley.DeleteConfirmation {
			return parley.FieldErrorf("confirm", "Type %s to confirm that your account should be deleted.", parley.DeleteConfirmation)
		}
		return nil
	}
	if in.Password == "" || len(in.Password) > parley.MaxPasswordLength {
		return parley.FieldErrorf("password", "Enter your password to delete your account.")
	}
	ok, err := s.verify(ctx, in.Password, hash)
	if err != nil {
		return fmt.Errorf("auth: verify password: %w", err)
	}
	if !ok {
		return parley.FieldErrorf("password", "That password is not right.")
	}
	return nil
}

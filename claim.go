package parley

import "context"

// ClaimSummary counts comments a reader may claim, or claimed: those left under their
// address by an imported author that no one has claimed (Imported) and those they left as a
// guest (Guest).
type ClaimSummary struct {
	Total    int
	Imported int
	Guest    int
}

// ClaimService lets a reader take the comments left under their address before they had an
// account here: an imported history, or guest comments. Only a verified address claims, so
// nobody takes another's comments by signing up with their address; and what is claimable is
// told only to an account whose address is verified, so an unverified sign-up learns nothing
// about an address's owner.
type ClaimService interface {
	// ClaimableComments counts what the signed-in reader may claim; nil when they cannot
	// claim (no address, or not verified), EUNAUTHENTICATED when signed out.
	ClaimableComments(ctx context.Context) (*ClaimSummary, error)
	// ClaimComments moves every claimable comment to the signed-in reader's account in one
	// transaction and says how many. Claiming again claims nothing more and is no error.
	// Refused: signed out (EUNAUTHENTICATED), a guest (EFORBIDDEN), no address (EINVALID on
	// email), an unverified address (EFORBIDDEN), an address changed meanwhile (ECONFLICT).
	ClaimComments(ctx context.Context) (ClaimSummary, error)
}

// ClaimStore finds and moves claimable comments. email is lowercased; the store matches it
// against imported authors' addresses and guests' addresses, and takes only accounts that
// nobody signs in to (no password, address or single sign-on).
type ClaimStore interface {
	ClaimableComments(ctx context.Context, userID, email string) (ClaimSummary, error)
	// ClaimComments moves the comments, the imported authors' reactions and future imports
	// of those authors to userID, writing a user.comments_claimed event per site, all in one
	// transaction, and only while the account's address is still email and verified
	// (ECONFLICT otherwise).
	ClaimComments(ctx context.Context, userID, email string) (ClaimSummary, error)
}

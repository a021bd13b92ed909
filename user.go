package parley

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is what a user may do on a site. Roles are ordered: each one includes the ones before.
type Role string

// Roles, weakest first. Admin is instance-wide; the others are held per site.
const (
	RoleCommenter Role = "COMMENTER"
	RoleMember    Role = "MEMBER"
	RoleModerator Role = "MODERATOR"
	RoleAdmin     Role = "ADMIN"
)

var roleRank = map[Role]int{RoleCommenter: 0, RoleMember: 1, RoleModerator: 2, RoleAdmin: 3}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := roleRank[r]; return ok }

// AtLeast reports whether r includes the privileges of min.
func (r Role) AtLeast(min Role) bool { return roleRank[r] >= roleRank[min] }

// User is an account. Email is private: the API shows it only to the user and to admins.
type User struct {
	ID        string
	Username  string
	Email     string
	Admin     bool
	CreatedAt time.Time
	// SSOSiteID and SSOSubject link an account created through a host site's single sign-on.
	SSOSiteID  string
	SSOSubject string
	// HasPassword tells whether the account signs in with a password; accounts made through
	// single sign-on have none.
	HasPassword bool
	// Guest marks the author of a guest comment: no account, Username is the name they gave,
	// and they never sign in.
	Guest bool
}

// EmailVisibleTo reports whether viewer (nil for anonymous) may see u's email: the user
// themself and admins only.
func (u *User) EmailVisibleTo(viewer *User) bool {
	return viewer != nil && (viewer.ID == u.ID || viewer.Admin)
}

// MutesVisibleTo reports whether viewer (nil for anonymous) may see whom u muted: the user
// themself only. Unlike an email, a mute is a reader's private choice that no one acts on,
// so admins do not see it either.
func (u *User) MutesVisibleTo(viewer *User) bool {
	return viewer != nil && viewer.ID == u.ID
}

// SiteUser names one user on one site: the key of a batched role lookup.
type SiteUser struct {
	SiteID string
	UserID string
}

// MaxMutedUsers bounds how many people one reader may mute, and so the list that
// User.mutedUsers answers in one piece.
const MaxMutedUsers = 1000

// UserService reads accounts. Accounts are created and changed through AuthService.
type UserService interface {
	FindUserByID(ctx context.Context, id string) (*User, error)
	// FindUsersByIDs returns the users it finds, in no particular order; it serves dataloaders.
	FindUsersByIDs(ctx context.Context, ids []string) ([]*User, error)
	// SiteRole returns the user's role on a site: RoleAdmin for admins, RoleCommenter when no
	// role was granted.
	SiteRole(ctx context.Context, siteID, userID string) (Role, error)
	// SiteRoles answers SiteRole for many pairs in one query; it serves dataloaders. Pairs
	// whose site or user does not exist are missing from the map.
	SiteRoles(ctx context.Context, keys []SiteUser) (map[SiteUser]Role, error)
	// SetSiteRole grants a role on a site. Only admins may call it.
	SetSiteRole(ctx context.Context, siteID, userID string, role Role) error
	// MuteUser hides a user's comments from the signed-in caller, who may not mute
	// themself; muting again changes nothing. It returns the muted user.
	MuteUser(ctx context.Context, userID string) (*User, error)
	// UnmuteUser takes a mute back; unmuting a user who is not muted changes nothing.
	UnmuteUser(ctx context.Context, userID string) (*User, error)
	// FindMutedUsers returns the users the signed-in caller muted, most recent first. Only
	// the caller's own list can be read: see User.MutesVisibleTo.
	FindMutedUsers(ctx context.Context) ([]*User, error)
	// ExportViewer answers everything held about the signed-in user, read in one consistent
	// snapshot; EUNAUTHENTICATED for anonymous callers.
	ExportViewer(ctx context.Context) (*UserExport, error)
}

// SignUpInput creates a local account.
type SignUpInput struct {
	Email    string
	Username string
	Password string
}

// Password length bounds. The upper bound keeps hashing cost bounded for hostile input.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 256
)

// Validate checks the fields a person typed, with messages they can act on.
func (in *SignUpInput) Validate() error {
	in.Email = strings.TrimSpace(in.Email)
	in.Username = strings.TrimSpace(in.Username)
	if err := ValidateEmail(in.Email); err != nil {
		return err
	}
	if err := ValidateUsername(in.Username); err != nil {
		return err
	}
	if !utf8.ValidString(in.Password) {
		return FieldErrorf("password", "Password is not valid UTF-8.")
	}
	if n := utf8.RuneCountInString(in.Password); n < MinPasswordLength {
		return FieldErrorf("password", "Password must be at least %d characters.", MinPasswordLength)
	} else if len(in.Password) > MaxPasswordLength {
		return FieldErrorf("password", "Password must be at most %d bytes.", MaxPasswordLength)
	}
	return nil
}

// ValidateEmail checks an address's shape; deliverability is not our business here.
func ValidateEmail(email string) error {
	at := strings.LastIndexByte(email, '@')
	switch {
	case email == "":
		return FieldErrorf("email", "Email is required.")
	case !utf8.ValidString(email):
		return FieldErrorf("email", "Email is not valid UTF-8.")
	case len(email) > 254:
		return FieldErrorf("email", "Email must be at most 254 characters.")
	case at < 1 || at == len(email)-1 || strings.ContainsAny(email, " \t\r\n<>"):
		return FieldErrorf("email", "Email must look like name@example.org.")
	}
	return nil
}

// Username bounds.
const (
	MinUsernameLength = 2
	MaxUsernameLength = 30
)

// ValidateUsername allows visible letters, digits, '_', '-' and '.', so names render safely
// and cannot impersonate others with invisible characters.
func ValidateUsername(name string) error {
	if !utf8.ValidString(name) {
		return FieldErrorf("username", "Username is not valid UTF-8.")
	}
	n := utf8.RuneCountInString(name)
	if n < MinUsernameLength || n > MaxUsernameLength {
		return FieldErrorf("username", "Username must be %d to %d characters.", MinUsernameLength, MaxUsernameLength)
	}
	for _, r := range name {
		// Some letters are drawn as nothing (U+3164 HANGUL FILLER is a letter).
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' && r != '.' || IsInvisible(r) {
			return FieldErrorf("username", "Username may contain only letters, digits, '_', '-' and '.'.")
		}
	}
	return nil
}

// SignInInput signs in with an email (or username) and password.
type SignInInput struct {
	Login    string
	Password string
}

// SSOInput signs in with a JWT signed by the host site with the site's SSO secret.
type SSOInput struct {
	SiteID string
	Token  string
}

// AuthPayload is a new session: the bearer token to send as Authorization, and its user.
type AuthPayload struct {
	Token     string
	User      *User
	ExpiresAt time.Time
	// DeletionCancelled says that this sign-in cancelled the account's scheduled erasure,
	// so the reader can be told their account is no longer going away.
	DeletionCancelled bool
	// RestoredAPITokens counts the API tokens that cancelling the erasure made usable again
	// (the deletion had revoked them); the account's other sessions stay signed out.
	RestoredAPITokens int
}

// APIToken describes a long-lived token for integrations. The secret is shown once, at
// creation, and stored only as a hash.
type APIToken struct {
	ID         string
	Name       string
	UserID     string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

// AuthService creates accounts and sessions and resolves bearer tokens to users.
type AuthService interface {
	SignUp(ctx context.Context, in SignUpInput) (*AuthPayload, error)
	// SignIn answers the same error, in about the same time, whether or not the account exists.
	SignIn(ctx context.Context, in SignInInput) (*AuthPayload, error)
	SignInWithSSO(ctx context.Context, in SSOInput) (*AuthPayload, error)
	// SignOut revokes the session or API token.
	SignOut(ctx context.Context, token string) error
	// Authenticate resolves a session or API token; an unknown, expired or revoked token
	// is EUNAUTHENTICATED.
	Authenticate(ctx context.Context, token string) (*User, error)
	// CreateAPIToken issues a token for the signed-in user; the secret is returned once.
	CreateAPIToken(ctx context.Context, name string) (string, *APIToken, error)
	// DeleteAccount deletes the signed-in user's account once they confirm it (see
	// DeleteAccountInput). With a store that has AccountDeletions it signs the account out
	// everywhere and schedules the erasure after a grace period that signing in cancels;
	// otherwise it erases at once. Erasure is one transaction: the account, its sessions and
	// tokens, its reactions, reports and mutes go; its comments stay as tombstones without
	// author or body, so that replies keep their place. The last administrator cannot go
	// (ECONFLICT).
	DeleteAccount(ctx context.Context, in DeleteAccountInput) error
	// CreateAdmin creates an administrator; it is for the operator's command line.
	CreateAdmin(ctx context.Context, in SignUpInput) (*User, error)
}

// RateLimiter decides whether one more attempt under key is allowed now. When it is not,
// retryAfter says how long to wait.
type RateLimiter interface {
	Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration, err error)
}

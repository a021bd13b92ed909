package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// Defaults for Options.
const (
	DefaultSessionTTL      = 30 * 24 * time.Hour
	DefaultLockoutFailures = 5
	DefaultLockoutWindow   = 15 * time.Minute
)

// MaxAPITokenNameLength bounds an API token's label, in characters.
const MaxAPITokenNameLength = 100

// maxLoginLength is the longest email (and so the longest login) we accept; longer input is
// refused before any lookup.
const maxLoginLength = 254

// Options configure a Service. The zero value is usable: every field has a default.
type Options struct {
	// Logger receives sign-up, sign-in and lockout events. Passwords and tokens are never
	// logged. Nil discards.
	Logger *slog.Logger
	// SessionTTL is how long a session token lives; DefaultSessionTTL when zero.
	SessionTTL time.Duration
	// Password are the argon2id parameters for new hashes; DefaultParams when zero. Tests
	// pass cheap ones. NewService panics on invalid parameters: that is a wiring bug.
	Password Params
	// SignUpLimiter limits sign-ups per client IP; nil means no limit.
	SignUpLimiter parley.RateLimiter
	// SignInLimiter limits sign-in attempts per client IP; nil means no limit.
	SignInLimiter parley.RateLimiter
	// LockoutFailures failed sign-ins for one login within LockoutWindow lock that login out
	// until the failures age out of the window. Defaults: 5 and 15 minutes.
	LockoutFailures int
	LockoutWindow   time.Duration
	// MaxConcurrentHashes bounds how many argon2 computations run at once, which bounds
	// memory (Password.Memory each) under a flood of sign-ins; GOMAXPROCS when zero.
	MaxConcurrentHashes int
	// MaxHashWait is how long a sign-in or sign-up waits for one of those before it is
	// refused with ERATELIMITED; DefaultMaxHashWait when zero.
	MaxHashWait time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// DeletionGrace is how long a deleted account waits before it is erased, during which
	// signing in cancels the deletion; parley.DefaultDeletionGrace when zero. It is used
	// only when the store has parley.AccountDeletions; otherwise deletion is immediate.
	DeletionGrace time.Duration
	// Identities, when set, keeps tokens' owners for a few seconds so that Authenticate does
	// not ask storage on every request; nil asks every time. Whoever sets it must feed it
	// the instance's user events (IdentityCache.Handle) and say when they stop (SetLive).
	Identities *IdentityCache
}

// Service implements parley.AuthService on top of a parley.AccountStore: it owns the rules
// (hashing, lockout, token shapes, SSO checks) and leaves storage to the store.
type Service struct {
	// verifications counts argon2 verifications, so tests can prove that every failed
	// sign-in pays for one whether or not the account exists.
	verifications   atomic.Int64
	store           parley.AccountStore
	log             *slog.Logger
	sessionTTL      time.Duration
	params          Params
	signUpLimiter   parley.RateLimiter
	signInLimiter   parley.RateLimiter
	lockoutFailures int
	lockoutWindow   time.Duration
	now             func() time.Time
	deletionGrace   time.Duration
	identities      *IdentityCache
	hashes          *hashGate
	// dummyHash is verified against when there is no hash to check (unknown login or an
	// SSO-only account), so that those sign-ins cost the same time as a wrong password.
	dummyHash string
}

var _ parley.AuthService = (*Service)(nil)

// NewService returns a Service. It computes one password hash up front, the decoy that keeps
// sign-ins for unknown accounts as slow as real ones.
func NewService(store parley.AccountStore, opts Options) *Service {
	s := &Service{
		store:           store,
		log:             opts.Logger,
		sessionTTL:      opts.SessionTTL,
		params:          opts.Password,
		signUpLimiter:   opts.SignUpLimiter,
		signInLimiter:   opts.SignInLimiter,
		lockoutFailures: opts.LockoutFailures,
		lockoutWindow:   opts.LockoutWindow,
		now:             opts.Now,
		deletionGrace:   opts.DeletionGrace,
		identities:      opts.Identities,
	}
	if s.deletionGrace <= 0 {
		s.deletionGrace = parley.DefaultDeletionGrace
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.sessionTTL <= 0 {
		s.sessionTTL = DefaultSessionTTL
	}
	if s.params == (Params{}) {
		s.params = DefaultParams()
	}
	if s.lockoutFailures <= 0 {
		s.lockoutFailures = DefaultLockoutFailures
	}
	if s.lockoutWindow <= 0 {
		s.lockoutWindow = DefaultLockoutWindow
	}
	if s.now == nil {
		s.now = time.Now
	}
	n := opts.MaxConcurrentHashes
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	s.hashes = newHashGate(n, opts.MaxHashWait)

	decoy := make([]byte, 32)
	_, _ = rand.Read(decoy)
	h, err := HashPassword(hex.EncodeToString(decoy), s.params)
	if err != nil {
		panic(fmt.Sprintf("auth.NewService: %v", err))
	}
	s.dummyHash = h
	return s
}

// errBadCredentials is the one answer for every failed password sign-in, so that it tells
// nothing about which accounts exist or how they sign in.
func errBadCredentials() error {
	return parley.Errorf(parley.EUNAUTHENTICATED, "Email/username or password is incorrect.")
}

// SignUp creates a local account and signs it in. Sign-ups are limited per client IP.
func (s *Service) SignUp(ctx context.Context, in parley.SignUpInput) (*parley.AuthPayload, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if err := limit(ctx, s.signUpLimiter, "signup-ip:", "Too many sign-ups from your network; try again in %s."); err != nil {
		return nil, err
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	u := &parley.User{Email: in.Email, Username: in.Username}
	if err := s.store.CreateUser(ctx, u, hash); err != nil {
		return nil, fmt.Errorf("auth: create user: %w", err)
	}
	s.log.InfoContext(ctx, "user signed up", "user_id", u.ID)
	return s.newSession(ctx, u)
}

// SignIn checks a login and password. Every failure gets the same answer and, as far as we
// can make it, the same time: unknown logins and SSO-only accounts are verified against a decoy
// hash. After LockoutFailures failures within LockoutWindow, the login is refused without
// checking the password until the failures age out; the count is kept per login as typed
// (lowercased), whether or not such an account exists, so a lockout tells nothing either.
func (s *Service) SignIn(ctx context.Context, in parley.SignInInput) (*parley.AuthPayload, error) {
	login := strings.TrimSpace(in.Login)
	if login == "" || len(login) > maxLoginLength || in.Password == "" || len(in.Password) > parley.MaxPasswordLength {
		return nil, errBadCredentials()
	}
	// Per client address first: the per-login lockout below stops guessing one account's
	// password, this stops one client from trying many accounts (or locking them all out).
	if err := limit(ctx, s.signInLimiter, "signin-ip:", "Too many sign-in attempts from your network; try again in %s."); err != nil {
		return nil, err
	}
	key := lockoutKey(login)
	failures, err := s.store.CountSignInFailures(ctx, key, s.now().Add(-s.lockoutWindow))
	if err != nil {
		return nil, fmt.Errorf("auth: count sign-in failures: %w", err)
	}
	if failures >= s.lockoutFailures {
		s.log.WarnContext(ctx, "sign-in refused: too many failures for this login", "failures", failures)
		return nil, parley.RateLimitedf(s.lockoutWindow, "Too many failed sign-ins for this account; try again in %s.",
			plural(int((s.lockoutWindow+time.Minute-1)/time.Minute), "minute"))
	}

	u, hash, err := s.store.FindCredentials(ctx, login)
	if err != nil && parley.ErrorCode(err) != parley.ENOTFOUND {
		return nil, fmt.Errorf("auth: find credentials: %w", err)
	}
	// Unknown logins and accounts without a password are checked against the decoy, which no
	// password matches, so that they cost what a wrong password costs.
	hasHash := err == nil && hash != ""
	check := s.dummyHash
	if hasHash {
		check = hash
	}
	ok, err := s.verify(ctx, in.Password, check)
	if err != nil {
		if hasHash {
			return nil, fmt.Errorf("auth: verify password of user %s: %w", u.ID, err)
		}
		return nil, fmt.Errorf("auth: verify decoy password: %w", err)
	}
	ok = ok && hasHash
	if !ok {
		if err := s.store.RecordSignInFailure(ctx, key); err != nil {
			return nil, fmt.Errorf("auth: record sign-in failure: %w", err)
		}
		return nil, errBadCredentials()
	}

	if err := s.store.ClearSignInFailures(ctx, key); err != nil {
		s.log.ErrorContext(ctx, "could not clear sign-in failures", "user_id", u.ID, "error", err)
	}
	s.rehashIfNeeded(ctx, u.ID, in.Password, hash)
	s.log.InfoContext(ctx, "user signed in", "user_id", u.ID)
	return s.newSession(ctx, u)
}

// limit asks a limiter (nil: no limit) about the caller's address.
func limit(ctx context.Context, l parley.RateLimiter, prefix, message string) error {
	if l == nil {
		return nil
	}
	ok, retry, err := l.Allow(ctx, prefix+parley.ClientFromContext(ctx).IP)
	if err != nil {
		return fmt.Errorf("auth: rate limit: %w", err)
	}
	if !ok {
		return parley.RateLimitedf(retry, message, humanDuration(retry))
	}
	return nil
}

// lockoutKey names a login's failure count. It is a hash of the lowercased login so that the
// failure records hold no email addresses, and so that any login has a key of fixed size.
func lockoutKey(login string) string {
	h := sha256.Sum256([]byte(strings.ToLower(login)))
	return "signin:" + hex.EncodeToString(h[:])
}

// rehashIfNeeded stores a hash with the current parameters when the store can; a failure only
// delays the upgrade to the next sign-in, so it is logged, not returned.
func (s *Service) rehashIfNeeded(ctx context.Context, userID, password, hash string) {
	up, ok := s.store.(parley.PasswordHashUpdater)
	if !ok || !NeedsRehash(hash, s.params) {
		return
	}
	fresh, err := s.hash(ctx, password)
	if err == nil {
		err = up.UpdatePasswordHash(ctx, userID, fresh)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "could not upgrade password hash", "user_id", userID, "error", err)
	}
}

// SignInWithSSO signs in a reader vouched for by a host site: it verifies the site's JWT,
// claims its jti so it cannot be replayed, and creates or updates the linked account.
func (s *Service) SignInWithSSO(ctx context.Context, in parley.SSOInput) (*parley.AuthPayload, error) {
	if !parley.IsID(in.SiteID) {
		return nil, parley.Errorf(parley.ENOTFOUND, "Site not found.")
	}
	secret, err := s.store.SiteSSOSecret(ctx, in.SiteID)
	switch {
	case parley.ErrorCode(err) == parley.ENOTFOUND:
		return nil, parley.Errorf(parley.ENOTFOUND, "Site not found.")
	case err != nil:
		return nil, fmt.Errorf("auth: read SSO secret: %w", err)
	case secret == "":
		return nil, parley.Errorf(parley.EFORBIDDEN, "This site has no single sign-on configured.")
	}
	id, err := VerifySSOToken(in.Token, []byte(secret), s.now())
	if err != nil {
		s.log.InfoContext(ctx, "SSO token refused", "site_id", in.SiteID, "reason", parley.ErrorMessage(err))
		return nil, err
	}
	// The token is accepted until exp plus the leeway, so the claim must last as long.
	if err := s.store.ClaimJTI(ctx, in.SiteID, id.JTI, id.ExpiresAt.Add(SSOClockLeeway)); err != nil {
		if parley.ErrorCode(err) == parley.ECONFLICT {
			s.log.WarnContext(ctx, "SSO token replayed", "site_id", in.SiteID)
			return nil, parley.Errorf(parley.EUNAUTHENTICATED, "This sign-in token was already used.")
		}
		return nil, fmt.Errorf("auth: claim SSO jti: %w", err)
	}
	u, err := s.store.UpsertSSOUser(ctx, in.SiteID, id.Subject, id.Email, id.Username)
	if err != nil {
		return nil, fmt.Errorf("auth: upsert SSO user: %w", err)
	}
	s.log.InfoContext(ctx, "user signed in with SSO", "user_id", u.ID, "site_id", in.SiteID)
	return s.newSession(ctx, u)
}

// forgetUser makes this replica forget every cached token of the user at once, after a
// revocation whose event tells the other replicas.
func (s *Service) forgetUser(userID string) {
	if s.identities != nil {
		s.identities.DropUser(userID)
	}
}

// SignOut revokes a session or API token. Revoking a token that is already expired, revoked
// or unknown succeeds: the caller wanted it dead, and it is.
func (s *Service) SignOut(ctx context.Context, token string) error {
	hash, err := HashToken(token)
	if err != nil {
		return err
	}
	err = s.store.RevokeToken(ctx, hash)
	if s.identities != nil {
		// This replica forgets the token now; the others when the revocation's event arrives.
		s.identities.dropToken(hash)
	}
	if err != nil && parley.ErrorCode(err) != parley.ENOTFOUND {
		return fmt.Errorf("auth: revoke token: %w", err)
	}
	return nil
}

// Authenticate resolves a bearer token to its user. Malformed tokens are refused before
// storage is asked.
func (s *Service) Authenticate(ctx context.Context, token string) (*parley.User, error) {
	hash, err := HashToken(token)
	if err != nil {
		return nil, err
	}
	var epoch uint64
	if s.identities != nil {
		u, e, ok := s.identities.get(hash)
		if ok {
			return u, nil
		}
		epoch = e
	}
	u, err := s.store.FindUserByTokenHash(ctx, hash)
	if err == nil && s.identities != nil {
		s.identities.put(hash, u, epoch)
	}
	switch {
	case parley.ErrorCode(err) == parley.ENOTFOUND:
		return nil, parley.Errorf(parley.EUNAUTHENTICATED, "Your session has expired or was revoked; please sign in again.")
	case err != nil:
		return nil, fmt.Errorf("auth: find user by token: %w", err)
	}
	return u, nil
}

// CreateAPIToken issues a long-lived token for the signed-in user. The secret is returned
// once; only its hash is stored.
func (s *Service) CreateAPIToken(ctx context.Context, name string) (string, *parley.APIToken, error) {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return "", nil, parley.Errorf(parley.EUNAUTHENTICATED, "Sign in to create an API token.")
	}
	name = strings.TrimSpace(name)
	switch n := utf8.RuneCountInString(name); {
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", nil, parley.FieldErrorf("name", "Token name must be plain text without control characters.")
	case parley.VisibleLength(name) < 1 || n > MaxAPITokenNameLength:
		return "", nil, parley.FieldErrorf("name", "Token name must be 1 to %d characters.", MaxAPITokenNameLength)
	}
	secret, hash, err := NewToken(KindAPI)
	if err != nil {
		return "", nil, err
	}
	t := &parley.Token{UserID: u.ID, Kind: KindAPI, Name: name, Hash: hash, CreatedAt: s.now()}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return "", nil, fmt.Errorf("auth: create API token: %w", err)
	}
	s.log.InfoContext(ctx, "API token created", "user_id", u.ID, "token_id", t.ID)
	return secret, &parley.APIToken{ID: t.ID, Name: t.Name, UserID: t.UserID, CreatedAt: t.CreatedAt}, nil
}

// CreateAdmin creates an administrator account, for the operator's command line. It is not
// rate limited: only someone with access to the server can call it.
func (s *Service) CreateAdmin(ctx context.Context, in parley.SignUpInput) (*parley.User, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	u := &parley.User{Email: in.Email, Username: in.Username, Admin: true}
	if err := s.store.CreateUser(ctx, u, hash); err != nil {
		return nil, fmt.Errorf("auth: create admin: %w", err)
	}
	s.log.InfoContext(ctx, "admin created", "user_id", u.ID)
	return u, nil
}

// newSession issues a session token for u.
func (s *Service) newSession(ctx context.Context, u *parley.User) (*parley.AuthPayload, error) {
	secret, hash, err := NewToken(KindSession)
	if err != nil {
		return nil, err
	}
	now := s.now()
	cancelled, restored, err := s.cancelDeletion(ctx, u.ID, now)
	if err != nil {
		return nil, err
	}
	expires := now.Add(s.sessionTTL)
	t := &parley.Token{UserID: u.ID, Kind: KindSession, Hash: hash, CreatedAt: now, ExpiresAt: &expires}
	if err := s.store.CreateToken(ctx, t); err != nil {
		return nil, fmt.Errorf("auth: create session: %w", err)
	}
	return &parley.AuthPayload{Token: secret, User: u, ExpiresAt: expires, DeletionCancelled: cancelled, RestoredAPITokens: restored}, nil
}

// hash and verify run argon2 within the concurrency bound (hashGate), waiting for a slot at
// most MaxHashWait and only as long as the request lives.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	if err := s.hashes.acquire(ctx); err != nil {
		return "", err
	}
	defer s.hashes.release()
	return HashPassword(password, s.params)
}

func (s *Service) verify(ctx context.Context, password, hash string) (bool, error) {
	if err := s.hashes.acquire(ctx); err != nil {
		return false, err
	}
	defer s.hashes.release()
	s.verifications.Add(1)
	return VerifyPassword(password, hash)
}

// humanDuration rounds a wait up to what a person would say: seconds, minutes or hours.
func humanDuration(d time.Duration) string {
	ceil := func(unit time.Duration) int { return int((d + unit - 1) / unit) }
	if d <= time.Second {
		return "a second"
	}
	if n := ceil(time.Second); n < 60 {
		return plural(n, "second")
	}
	if n := ceil(time.Minute); n < 60 {
		return plural(n, "minute")
	}
	return plural(ceil(time.Hour), "hour")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

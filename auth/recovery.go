package auth

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// AccountTokenPrefix marks the single-use secrets Parley mails (verification, reset, email
// change), so one found in a log is recognised as such.
const AccountTokenPrefix = "pmt_"

// Render turns a mail template into a mail: package mail's Templates.Render.
type Render func(kind, lang, to string, data any) (*parley.Mail, error)

// RecoveryOptions configure a Recovery.
type RecoveryOptions struct {
	Logger *slog.Logger
	// Render writes the mails; nil means this server sends no mail, and every feature that
	// needs it answers so.
	Render Render
	// Wake tells the mail queue that mail was queued; nil does nothing.
	Wake func()
	// PublicURL is where the links in the mails point (their pages are served under /account/).
	PublicURL string
	// ClientLimiter limits reset requests and token uses per client network; AddressLimiter
	// limits mails to one address. Nil means no limit.
	ClientLimiter  parley.RateLimiter
	AddressLimiter parley.RateLimiter
	Now            func() time.Time
}

// Recovery implements parley.RecoveryService: email verification, password reset by a
// single-use link, and change of email confirmed from both addresses. It hashes passwords
// through the Service's bounded hasher.
type Recovery struct {
	svc   *Service
	store parley.RecoveryStore
	o     RecoveryOptions
}

var _ parley.RecoveryService = (*Recovery)(nil)

// NewRecovery returns the recovery service next to svc.
func NewRecovery(svc *Service, store parley.RecoveryStore, o RecoveryOptions) *Recovery {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Wake == nil {
		o.Wake = func() {}
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	return &Recovery{svc: svc, store: store, o: o}
}

// errNoMail is the answer of every feature that needs mail on a server that sends none.
func errNoMail() error {
	return parley.Errorf(parley.EFORBIDDEN, "This server sends no email (its operator has not set PARLEY_SMTP_URL), so this is not available.")
}

// newAccountToken makes a token's secret and its stored hash.
func newAccountToken() (string, []byte, error) {
	b := make([]byte, tokenRandomBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("auth: read token randomness: %w", err)
	}
	secret := AccountTokenPrefix + tokenB64.EncodeToString(b)
	return secret, hashTokenString(secret), nil
}

// hashAccountToken checks a presented account token's shape before any lookup.
func hashAccountToken(presented string) ([]byte, error) {
	presented = strings.TrimSpace(presented)
	if len(presented) != TokenLength || !strings.HasPrefix(presented, AccountTokenPrefix) {
		return nil, parley.FieldErrorf("token", "This link is incomplete or damaged; copy the whole link from the email.")
	}
	if b, err := tokenB64.Strict().DecodeString(presented[4:]); err != nil || len(b) != tokenRandomBytes {
		return nil, parley.FieldErrorf("token", "This link is incomplete or damaged; copy the whole link from the email.")
	}
	return hashTokenString(presented), nil
}

// issue renders and queues one mail per token, with the tokens, in one transaction.
func (r *Recovery) issue(ctx context.Context, u *parley.User, lang string, items ...issueItem) error {
	tokens := make([]*parley.AccountToken, len(items))
	mails := make([]*parley.Mail, len(items))
	for i, it := range items {
		secret, hash, err := newAccountToken()
		if err != nil {
			return err
		}
		ttl := parley.ConfirmTokenTTL
		if it.purpose == parley.TokenResetPassword {
			ttl = parley.ResetTokenTTL
		}
		tokens[i] = &parley.AccountToken{Hash: hash, UserID: u.ID, Purpose: it.purpose, Email: it.email, ChangeID: it.changeID, ExpiresAt: r.o.Now().Add(ttl)}
		data := map[string]any{"Username": u.Username, "Link": r.o.PublicURL + "/account/" + it.page + "?token=" + url.QueryEscape(secret), "NewEmail": it.email}
		if mails[i], err = r.o.Render(it.purpose, lang, it.to, data); err != nil {
			return fmt.Errorf("auth: render %s mail: %w", it.purpose, err)
		}
	}
	if err := r.store.IssueAccountTokens(ctx, tokens, mails); err != nil {
		return fmt.Errorf("auth: issue account tokens: %w", err)
	}
	r.o.Wake()
	return nil
}

type issueItem struct{ purpose, page, to, email, changeID string }

// RequestPasswordReset implements parley.RecoveryService. Whether or not the address has an
// account, the answer is the same; only the limits (per client network and per address)
// can refuse, and they count unknown addresses too.
func (r *Recovery) RequestPasswordReset(ctx context.Context, email, lang string) error {
	email = strings.TrimSpace(email)
	if err := parley.ValidateEmail(email); err != nil {
		return err
	}
	if r.o.Render == nil {
		return errNoMail()
	}
	if err := limit(ctx, r.o.ClientLimiter, "reset-ip:", "Too many reset requests from your network; try again in %s."); err != nil {
		return err
	}
	if err := r.limitAddress(ctx, email); err != nil {
		return err
	}
	u, err := r.store.FindUserByEmail(ctx, email)
	switch {
	case parley.ErrorCode(err) == parley.ENOTFOUND:
		r.o.Logger.InfoContext(ctx, "password reset asked for an address without an account")
		return nil
	case err != nil:
		return fmt.Errorf("auth: find user by email: %w", err)
	case !u.HasPassword:
		// An account made through a host site's single sign-on signs in there; a reset here
		// would give it a password it never had. The answer stays the same.
		r.o.Logger.InfoContext(ctx, "password reset asked for an account without a password", "user_id", u.ID)
		return nil
	}
	if err := r.issue(ctx, u, lang, issueItem{purpose: parley.TokenResetPassword, page: "reset", to: u.Email, email: u.Email}); err != nil {
		return err
	}
	r.o.Logger.InfoContext(ctx, "password reset mailed", "user_id", u.ID)
	return nil
}

// limitAddress limits mail to one address, keyed by the lowercased address's hash.
func (r *Recovery) limitAddress(ctx context.Context, email string) error {
	if r.o.AddressLimiter == nil {
		return nil
	}
	ok, retry, err := r.o.AddressLimiter.Allow(ctx, lockoutKey("mail:"+email))
	if err != nil {
		return fmt.Errorf("auth: rate limit: %w", err)
	}
	if !ok {
		return parley.RateLimitedf(retry, "Too many emails to this address; try again in %s.", humanDuration(retry))
	}
	return nil
}

// validatePassword applies sign-up's password rules to a new password.
func validatePassword(password string) error {
	in := parley.SignUpInput{Email: "x@example.org", Username: "xx", Password: password}
	return in.Validate()
}

// ResetPassword implements parley.RecoveryService.
func (r *Recovery) ResetPassword(ctx context.Context, token, password string) error {
	hash, err := hashAccountToken(token)
	if err != nil {
		return err
	}
	if err := validatePassword(password); err != nil {
		return err
	}
	if err := limit(ctx, r.o.ClientLimiter, "reset-ip:", "Too many attempts from your network; try again in %s."); err != nil {
		return err
	}
	pw, err := r.svc.hash(ctx, password)
	if err != nil {
		return err
	}
	u, err := r.store.ResetPassword(ctx, hash, r.o.Now(), pw)
	if err != nil {
		return err
	}
	r.svc.forgetUser(u.ID)
	r.o.Logger.InfoContext(ctx, "password reset; every session revoked", "user_id", u.ID)
	return nil
}

// VerifyEmail implements parley.RecoveryService.
func (r *Recovery) VerifyEmail(ctx context.Context, token string) error {
	hash, err := hashAccountToken(token)
	if err != nil {
		return err
	}
	if err := limit(ctx, r.o.ClientLimiter, "reset-ip:", "Too many attempts from your network; try again in %s."); err != nil {
		return err
	}
	_, err = r.store.VerifyEmail(ctx, hash, r.o.Now())
	return err
}

// SendVerification implements parley.RecoveryService.
func (r *Recovery) SendVerification(ctx context.Context, lang string) error {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return parley.Errorf(parley.EUNAUTHENTICATED, "Sign in to verify your email address.")
	}
	if u.Email == "" {
		return parley.FieldErrorf("email", "Your account has no email address to verify.")
	}
	if r.o.Render == nil {
		return errNoMail()
	}
	if ok, err := r.store.EmailVerified(ctx, u.ID); err != nil {
		return err
	} else if ok {
		return parley.Errorf(parley.ECONFLICT, "Your email address is already verified.")
	}
	if err := r.limitAddress(ctx, u.Email); err != nil {
		return err
	}
	return r.issue(ctx, u, lang, issueItem{purpose: parley.TokenVerifyEmail, page: "verify", to: u.Email, email: u.Email})
}

// AfterSignUp mails a new account its verification link; a server without mail skips it.
// A failure is logged, not returned: the account exists, and the reader can ask again.
func (r *Recovery) AfterSignUp(ctx context.Context, u *parley.User, lang string) {
	if r.o.Render == nil || u.Email == "" {
		return
	}
	if err := r.issue(ctx, u, lang, issueItem{purpose: parley.TokenVerifyEmail, page: "verify", to: u.Email, email: u.Email}); err != nil {
		r.o.Logger.ErrorContext(ctx, "could not mail the verification link", "user_id", u.ID, "error", err)
	}
}

// ChangeEmail implements parley.RecoveryService. The password is asked again, so a session
// left open on a shared computer cannot take the account over by changing its address.
func (r *Recovery) ChangeEmail(ctx context.Context, newEmail, password, lang string) error {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return parley.Errorf(parley.EUNAUTHENTICATED, "Sign in to change your email address.")
	}
	newEmail = strings.TrimSpace(newEmail)
	if err := parley.ValidateEmail(newEmail); err != nil {
		return err
	}
	if strings.EqualFold(newEmail, u.Email) {
		return parley.FieldErrorf("email", "That is your address already.")
	}
	if r.o.Render == nil {
		return errNoMail()
	}
	hash, err := r.svc.store.PasswordHash(ctx, u.ID)
	if err != nil {
		return err
	}
	if hash == "" {
		return parley.FieldErrorf("password", "Your account signs in through its site; change your address there.")
	}
	if !utf8.ValidString(password) || len(password) > parley.MaxPasswordLength {
		return parley.FieldErrorf("password", "Password is incorrect.")
	}
	if ok, err := r.svc.verify(ctx, password, hash); err != nil {
		return err
	} else if !ok {
		return parley.FieldErrorf("password", "Password is incorrect.")
	}
	if other, err := r.store.FindUserByEmail(ctx, newEmail); err == nil && other.ID != u.ID {
		return parley.Errorf(parley.ECONFLICT, "An account with that email already exists.")
	}
	if err := r.limitAddress(ctx, newEmail); err != nil {
		return err
	}
	secret, _, err := newAccountToken() // only its randomness: a fresh pair ID
	if err != nil {
		return err
	}
	changeID := uuidFrom(secret)
	items := []issueItem{{purpose: parley.TokenEmailChangeNew, page: "email", to: newEmail, email: newEmail, changeID: changeID}}
	if u.Email != "" {
		items = append(items, issueItem{purpose: parley.TokenEmailChangeOld, page: "email", to: u.Email, email: newEmail, changeID: changeID})
	}
	return r.issue(ctx, u, lang, items...)
}

// uuidFrom shapes 16 bytes of a random secret as a UUID (version 4).
func uuidFrom(secret string) string {
	b := []byte(hashTokenString(secret)[:16])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ConfirmEmailChange implements parley.RecoveryService.
func (r *Recovery) ConfirmEmailChange(ctx context.Context, token string) (bool, error) {
	hash, err := hashAccountToken(token)
	if err != nil {
		return false, err
	}
	if err := limit(ctx, r.o.ClientLimiter, "reset-ip:", "Too many attempts from your network; try again in %s."); err != nil {
		return false, err
	}
	_, done, err := r.store.ConfirmEmailChange(ctx, hash, r.o.Now())
	return done, err
}

// EmailVerified implements parley.RecoveryService.
func (r *Recovery) EmailVerified(ctx context.Context, userID string) (bool, error) {
	return r.store.EmailVerified(ctx, userID)
}

// VerifySignUps wraps an AuthService so that every sign-up is mailed its verification
// link, in the language of the sign-up request.
func (r *Recovery) VerifySignUps(a parley.AuthService) parley.AuthService {
	return verifyingAuth{AuthService: a, rec: r}
}

type verifyingAuth struct {
	parley.AuthService
	rec *Recovery
}

func (v verifyingAuth) SignUp(ctx context.Context, in parley.SignUpInput) (*parley.AuthPayload, error) {
	p, err := v.AuthService.SignUp(ctx, in)
	if err == nil {
		v.rec.AfterSignUp(ctx, p.User, parley.ClientFromContext(ctx).Language)
	}
	return p, err
}

package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/parleyhq/parley"
)

// OIDC sign-in limits.
const (
	// OIDCFlowTTL is how long a started sign-in may take to come back: long enough to type a
	// password at the provider, short enough that a leaked state is soon worthless.
	OIDCFlowTTL = 10 * time.Minute
	// OIDCLinkTTL is how long a reader has to consent to linking an existing account.
	OIDCLinkTTL = 10 * time.Minute
	// maxOIDCField bounds issuer, client ID and secret and name.
	maxOIDCField = 2048
	// OIDCDiscoveryTTL is how long a provider's discovery document is kept before it is read
	// again, so that endpoints a provider moves are followed without a restart.
	OIDCDiscoveryTTL = time.Hour
)

// OIDCOptions configures OIDC.
type OIDCOptions struct {
	// CallbackURL is this instance's /oidc/callback, registered as redirect URI at each provider.
	CallbackURL string
	// HTTPClient talks to providers (discovery, keys, code exchange); nil uses a client with a
	// 10 s timeout.
	HTTPClient *http.Client
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// StartLimiter bounds the sign-ins started per client network: starting one is
	// unauthenticated and stores a row, so it is limited like any sign-in attempt.
	StartLimiter parley.RateLimiter
}

// OIDC implements parley.OIDCService: authorization code flow with PKCE (S256), state and
// nonce kept server-side and used once, and ID tokens verified by go-oidc.
type OIDC struct {
	auth   *Service
	store  parley.OIDCStore
	opts   OIDCOptions
	mu     sync.Mutex
	issuer map[string]discovered // discovery answers, by issuer
}

// discovered is a discovery answer and when it was read.
type discovered struct {
	p  *oidc.Provider
	at time.Time
}

var _ parley.OIDCService = (*OIDC)(nil)

// NewOIDC returns the OIDC service; sessions are issued by auth, like every other sign-in.
func NewOIDC(auth *Service, store parley.OIDCStore, opts OIDCOptions) *OIDC {
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &OIDC{auth: auth, store: store, opts: opts, issuer: map[string]discovered{}}
}

func oidcError(format string, args ...any) error {
	return parley.Errorf(parley.EUNAUTHENTICATED, format, args...)
}

// provider answers the discovery document of issuer, kept for OIDCDiscoveryTTL after it was
// read (see forget for when it is dropped sooner).
func (o *OIDC) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	now := o.opts.Now()
	o.mu.Lock()
	d, ok := o.issuer[issuer]
	o.mu.Unlock()
	if ok && now.Sub(d.at) < OIDCDiscoveryTTL && !now.Before(d.at) {
		return d.p, nil
	}
	p, err := o.discover(ctx, issuer)
	if err != nil {
		o.mu.Lock()
		delete(o.issuer, issuer)
		o.mu.Unlock()
		return nil, err
	}
	o.mu.Lock()
	o.issuer[issuer] = discovered{p: p, at: now}
	o.mu.Unlock()
	return p, nil
}

// forget drops issuer's discovery answer when err says the provider failed (EUNAVAILABLE),
// so the next sign-in reads it again: a provider gone down is then refused at /oidc/start
// with the reason, instead of readers being sent on to endpoints that may be dead. It
// answers err.
func (o *OIDC) forget(issuer string, err error) error {
	if parley.ErrorCode(err) == parley.EUNAVAILABLE {
		o.mu.Lock()
		delete(o.issuer, issuer)
		o.mu.Unlock()
	}
	return err
}

// discover reads issuer's discovery document now; a failure is EUNAVAILABLE saying why.
func (o *OIDC) discover(ctx context.Context, issuer string) (*oidc.Provider, error) {
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, o.opts.HTTPClient), issuer)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, unavailable("The sign-in provider %s did not answer its discovery document properly (%s); try again later.", issuer, describeProviderError(err))
	}
	if e := p.Endpoint(); e.AuthURL == "" || e.TokenURL == "" {
		return nil, unavailable("The sign-in provider %s did not answer its discovery document properly (%s); try again later.", issuer, errNoEndpoints)
	}
	return p, nil
}

func (o *OIDC) config(p *parley.OIDCProvider, d *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     p.ClientID,
		ClientSecret: p.ClientSecret,
		Endpoint:     d.Endpoint(),
		RedirectURL:  o.opts.CallbackURL,
		Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

// CallbackURL implements parley.OIDCService.
func (o *OIDC) CallbackURL() string { return o.opts.CallbackURL }

// OIDCProviders implements parley.OIDCService; secrets are left out of the answer.
func (o *OIDC) OIDCProviders(ctx context.Context, siteID string) ([]*parley.OIDCProvider, error) {
	if !parley.IsID(siteID) {
		return nil, parley.Errorf(parley.ENOTFOUND, "Site not found.")
	}
	if _, err := o.store.SiteAllowedOrigins(ctx, siteID); err != nil {
		return nil, err
	}
	return o.store.OIDCProviders(ctx, siteID)
}

// StartOIDC implements parley.OIDCService.
func (o *OIDC) StartOIDC(ctx context.Context, providerID, siteID, origin string) (string, error) {
	if err := limit(ctx, o.opts.StartLimiter, "oidc-start:", "Too many sign-ins from your network; try again in %s."); err != nil {
		return "", err
	}
	if !parley.IsID(siteID) {
		return "", parley.Errorf(parley.ENOTFOUND, "Site not found.")
	}
	if !parley.IsID(providerID) {
		return "", parley.Errorf(parley.ENOTFOUND, "Sign-in provider not found.")
	}
	origins, err := o.store.SiteAllowedOrigins(ctx, siteID)
	if err != nil {
		return "", err
	}
	if origin == "" || !slices.Contains(origins, origin) {
		return "", parley.FieldErrorf("origin", "origin is not one of the site's allowed origins.")
	}
	p, err := o.store.OIDCProvider(ctx, providerID, siteID)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return "", parley.Errorf(parley.ENOTFOUND, "Sign-in provider not found.")
	} else if err != nil {
		return "", err
	}
	d, err := o.provider(ctx, p.Issuer)
	if err != nil {
		return "", err
	}
	f := &parley.OIDCFlow{
		State: randomToken(), ProviderID: p.ID, SiteID: siteID, Origin: origin,
		Nonce: randomToken(), CodeVerifier: oauth2.GenerateVerifier(), ExpiresAt: o.opts.Now().Add(OIDCFlowTTL),
	}
	if err := o.store.SaveOIDCFlow(ctx, f); err != nil {
		return "", err
	}
	return o.config(p, d).AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.CodeVerifier)), nil
}

// oidcClaims are the ID token claims we use.
type oidcClaims struct {
	Email             string `json:"email"`
	EmailVerified     any    `json:"email_verified"`
	PreferredUsername string `json:"preferred_username"`
	Name              string `json:"name"`
}

// verified reads email_verified, which some providers send as the string "true".
func (c oidcClaims) verified() bool {
	switch v := c.EmailVerified.(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// FinishOIDC implements parley.OIDCService. The flow is taken (deleted) first, so a state
// works once whatever happens next; every refusal is EUNAUTHENTICATED or EFORBIDDEN with a
// message naming the problem, and no account or link is written before every check passed.
func (o *OIDC) FinishOIDC(ctx context.Context, state, code string) (*parley.OIDCSignIn, error) {
	origin, in, err := o.finish(ctx, state, code)
	if err != nil && origin != "" {
		// The flow was genuine, so its origin may hear why it failed.
		return &parley.OIDCSignIn{Origin: origin}, err
	}
	return in, err
}

// finish is FinishOIDC, answering also the flow's origin once the flow is known.
func (o *OIDC) finish(ctx context.Context, state, code string) (origin string, _ *parley.OIDCSignIn, _ error) {
	if state == "" || len(state) > 256 {
		return origin, nil, oidcError("The sign-in state is missing or wrong; start again.")
	}
	if code == "" || len(code) > 4096 {
		return origin, nil, oidcError("The provider sent no authorization code; start again.")
	}
	f, err := o.store.TakeOIDCFlow(ctx, state, o.opts.Now())
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return origin, nil, oidcError("The sign-in state is unknown, was used already, or has expired; start again.")
	} else if err != nil {
		return origin, nil, err
	}
	origin = f.Origin
	p, err := o.store.OIDCProvider(ctx, f.ProviderID, f.SiteID)
	if err != nil {
		return origin, nil, err
	}
	d, err := o.provider(ctx, p.Issuer)
	if err != nil {
		return origin, nil, err
	}
	cctx := oidc.ClientContext(ctx, o.opts.HTTPClient)
	tok, err := o.config(p, d).Exchange(cctx, code, oauth2.VerifierOption(f.CodeVerifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
			return origin, nil, oidcError("The provider refused the authorization code (used already, expired or not ours); start again.")
		}
		if ctx.Err() != nil {
			return origin, nil, ctx.Err()
		}
		// The token endpoint is down, failed, or answered something that is no token answer.
		return origin, nil, o.forget(p.Issuer, unavailable("The sign-in provider did not answer the code exchange properly (%s); try again later.", describeProviderError(err)))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return origin, nil, oidcError("The provider sent no ID token.")
	}
	idt, err := o.verifyIDToken(cctx, d, p.ClientID, raw, f.Nonce)
	if err != nil {
		return origin, nil, o.forget(p.Issuer, err)
	}
	var c oidcClaims
	if err := idt.Claims(&c); err != nil {
		return origin, nil, oidcError("The ID token's claims cannot be read.")
	}
	if c.Email == "" {
		// Many providers keep email out of the ID token and answer it at the userinfo
		// endpoint, for the same subject.
		info, err := d.UserInfo(cctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return origin, nil, o.forget(p.Issuer, unavailable("The provider's userinfo endpoint did not answer properly (%s); try again later.", describeProviderError(err)))
		}
		if info.Subject != idt.Subject {
			return origin, nil, oidcError("The provider's userinfo answer is about another subject.")
		}
		if err := info.Claims(&c); err != nil {
			return origin, nil, oidcError("The provider's userinfo claims cannot be read.")
		}
	}
	if u, err := o.store.OIDCLinkedUser(ctx, p.ID, idt.Subject); err == nil {
		in, err := o.session(ctx, u, f.Origin)
		return origin, in, err
	} else if parley.ErrorCode(err) != parley.ENOTFOUND {
		return origin, nil, err
	}
	if c.Email == "" || !c.verified() {
		return origin, nil, parley.Errorf(parley.EFORBIDDEN, "The provider has not verified your email address; verify it there, then sign in again.")
	}
	existing, err := o.store.UserByEmail(ctx, c.Email)
	switch {
	case err == nil:
		secret := randomToken()
		l := &parley.OIDCPendingLink{Hash: hashLinkToken(secret), ProviderID: p.ID, Subject: idt.Subject,
			UserID: existing.ID, Origin: f.Origin, Email: existing.Email, ExpiresAt: o.opts.Now().Add(OIDCLinkTTL)}
		if err := o.store.SaveOIDCPendingLink(ctx, l); err != nil {
			return origin, nil, err
		}
		return origin, &parley.OIDCSignIn{Origin: f.Origin, LinkToken: secret, LinkEmail: existing.Email}, nil
	case parley.ErrorCode(err) != parley.ENOTFOUND:
		return origin, nil, err
	}
	u, err := o.store.CreateOIDCUser(ctx, p.ID, idt.Subject, c.Email, DeriveUsername(c.PreferredUsername, c.Name, c.Email))
	if err != nil {
		return origin, nil, err
	}
	in, err := o.session(ctx, u, f.Origin)
	return origin, in, err
}

// ConfirmOIDCLink implements parley.OIDCService.
func (o *OIDC) ConfirmOIDCLink(ctx context.Context, token string) (*parley.OIDCSignIn, error) {
	if token == "" || len(token) > 256 {
		return nil, oidcError("The link request is unknown, was used already, or has expired; sign in again.")
	}
	l, err := o.store.TakeOIDCPendingLink(ctx, hashLinkToken(token), o.opts.Now())
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil, oidcError("The link request is unknown, was used already, or has expired; sign in again.")
	} else if err != nil {
		return nil, err
	}
	u, err := o.store.OIDCLinkedUser(ctx, l.ProviderID, l.Subject)
	if err != nil {
		return nil, err
	}
	return o.session(ctx, u, l.Origin)
}

func (o *OIDC) session(ctx context.Context, u *parley.User, origin string) (*parley.OIDCSignIn, error) {
	s, err := o.auth.newSession(ctx, u)
	if err != nil {
		return nil, err
	}
	return &parley.OIDCSignIn{Origin: origin, Session: s}, nil
}

// verifyIDToken checks raw's signature, issuer, audience (clientID), expiry and nonce.
func (o *OIDC) verifyIDToken(ctx context.Context, d *oidc.Provider, clientID, raw, nonce string) (*oidc.IDToken, error) {
	idt, err := d.Verifier(&oidc.Config{ClientID: clientID, Now: o.opts.Now}).Verify(ctx, raw)
	if err != nil && strings.Contains(err.Error(), "fetching keys") {
		// The token may be fine: the provider's keys (JWKS) could not be read to check it.
		return nil, unavailable("The sign-in provider's signing keys could not be read (%s); try again later.", describeProviderError(err))
	}
	if err != nil {
		return nil, oidcError("The ID token was refused: %s.", describeVerifyError(err))
	}
	if idt.Nonce != nonce {
		return nil, oidcError("The ID token was refused: its nonce does not belong to this sign-in.")
	}
	return idt, nil
}

// unavailable is a provider's failure: down, failing, or answering what OpenID Connect does
// not allow. It is nobody's mistake here, and worth trying again later.
func unavailable(format string, args ...any) error {
	return parley.Errorf(parley.EUNAVAILABLE, format, args...)
}

// describeProviderError names in a few words why talking to a provider failed, without the
// bodies or internal addresses a raw error may quote.
func describeProviderError(err error) string {
	var ne net.Error
	var re *oauth2.RetrieveError
	var mismatch *oidc.IssuerMismatchError
	msg := err.Error()
	switch {
	case errors.As(err, &mismatch):
		return "its discovery document names another issuer"
	case errors.As(err, &ne) && ne.Timeout():
		return "it did not answer in time"
	case errors.As(err, &ne), strings.Contains(msg, "connection refused"), strings.Contains(msg, "no such host"):
		return "it cannot be reached"
	case errors.As(err, &re) && re.Response != nil:
		return fmt.Sprintf("it answered HTTP %d", re.Response.StatusCode)
	case httpStatus.MatchString(msg):
		return "it answered HTTP " + httpStatus.FindStringSubmatch(msg)[1]
	}
	return "its answer is not the JSON expected"
}

// httpStatus finds the HTTP error status go-oidc quotes ("404 Not Found: ...").
var httpStatus = regexp.MustCompile(`(?:^|: )([45]\d\d) [A-Z]`)

// errNoEndpoints is a discovery document without the endpoints a sign-in needs.
var errNoEndpoints = errors.New("its discovery document has no authorization or token endpoint")

// describeVerifyError names what go-oidc refused, for the reader's message.
func describeVerifyError(err error) string {
	var exp *oidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &exp):
		return "it has expired"
	case strings.Contains(msg, "audience"):
		return "it was issued for another client"
	case strings.Contains(msg, "issuer"):
		return "it was issued by another provider"
	case strings.Contains(msg, "signature"):
		return "its signature does not verify"
	}
	return "it is not valid"
}

// DeriveUsername makes a username from an ID token's claims: the preferred username, else the
// name, else the email's local part, keeping only the characters usernames allow; "reader"
// when nothing is left. The store makes it unique.
func DeriveUsername(preferred, name, email string) string {
	local, _, _ := strings.Cut(email, "@")
	for _, cand := range []string{preferred, name, local} {
		var b strings.Builder
		for _, r := range cand {
			switch {
			case unicode.IsSpace(r):
				b.WriteRune('_')
			case (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.') && !parley.IsInvisible(r):
				b.WriteRune(r)
			}
		}
		s := []rune(b.String())
		if len(s) > parley.MaxUsernameLength-4 {
			s = s[:parley.MaxUsernameLength-4]
		}
		if parley.ValidateUsername(string(s)) == nil {
			return string(s)
		}
	}
	return "reader"
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashLinkToken(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

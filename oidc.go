package parley

import (
	"context"
	"time"
)

// OIDCProvider is an OpenID Connect provider a site (or, with SiteID "", the whole instance)
// lets its readers sign in with. ClientSecret is kept for the code exchange only; the API
// never answers it.
type OIDCProvider struct {
	ID           string
	SiteID       string
	Name         string
	Issuer       string
	ClientID     string
	ClientSecret string
	// Disabled hides the provider from readers (no button, no sign-in) while keeping its
	// accounts' links, so turning it on again restores them.
	Disabled  bool
	CreatedAt time.Time
}

// Enabled is !Disabled, as the API shows it.
func (p *OIDCProvider) Enabled() bool { return !p.Disabled }

// OIDCProviderUpdate changes an OIDC provider's settings; nil fields stay as they are. The
// issuer cannot change: the accounts linked to the provider are its issuer's subjects.
type OIDCProviderUpdate struct {
	ID           string
	Name         *string
	ClientID     *string
	ClientSecret *string
	Enabled      *bool
}

// MaxOIDCProviders bounds the providers listed for one site.
const MaxOIDCProviders = 20

// MaxAdminOIDCProviders bounds the providers listed for the whole instance.
const MaxAdminOIDCProviders = 500

// OIDCFlow is one sign-in in progress, stored server-side so that the browser carries nothing
// but the state: the nonce and PKCE verifier never leave the server.
type OIDCFlow struct {
	State        string
	ProviderID   string
	SiteID       string
	Origin       string
	Nonce        string
	CodeVerifier string
	ExpiresAt    time.Time
}

// OIDCPendingLink is a verified sign-in whose email belongs to an existing account, waiting
// for the reader to consent to linking them.
type OIDCPendingLink struct {
	Hash       []byte
	ProviderID string
	Subject    string
	UserID     string
	Origin     string
	// Email is the address the provider verified, the account's when the link was proposed.
	Email     string
	ExpiresAt time.Time
}

// OIDCStore keeps providers, flows and links. Taking a flow or a pending link deletes it in
// the same statement, so each is usable once even when two requests race.
type OIDCStore interface {
	// AddOIDCProvider inserts p and fills in ID and CreatedAt.
	AddOIDCProvider(ctx context.Context, p *OIDCProvider) error
	// OIDCProvider returns an enabled provider usable on siteID (the site's own or the
	// instance's); ENOTFOUND otherwise.
	OIDCProvider(ctx context.Context, id, siteID string) (*OIDCProvider, error)
	// OIDCProviders lists the enabled providers usable on siteID, instance-wide ones last,
	// at most MaxOIDCProviders.
	OIDCProviders(ctx context.Context, siteID string) ([]*OIDCProvider, error)
	// AllOIDCProviders lists every provider, disabled ones included, secrets left out: those
	// usable on siteID, or with siteID "" every provider of the instance; at most
	// MaxAdminOIDCProviders.
	AllOIDCProviders(ctx context.Context, siteID string) ([]*OIDCProvider, error)
	// UpdateOIDCProvider applies u in one transaction and returns the provider as it now
	// stands, its secret left out; ENOTFOUND for an unknown ID.
	UpdateOIDCProvider(ctx context.Context, u OIDCProviderUpdate) (*OIDCProvider, error)
	// RemoveOIDCProvider deletes a provider with its links and sign-ins in progress; the
	// accounts stay. ENOTFOUND for an unknown ID.
	RemoveOIDCProvider(ctx context.Context, id string) error
	// SaveOIDCFlow stores a new flow.
	SaveOIDCFlow(ctx context.Context, f *OIDCFlow) error
	// TakeOIDCFlow deletes and returns the live flow with this state; ENOTFOUND when it is
	// unknown, used or expired at now.
	TakeOIDCFlow(ctx context.Context, state string, now time.Time) (*OIDCFlow, error)
	// OIDCLinkedUser returns the account linked to (providerID, subject); ENOTFOUND if none.
	OIDCLinkedUser(ctx context.Context, providerID, subject string) (*User, error)
	// UserByEmail returns the account with this email (case-insensitively); ENOTFOUND if none.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// CreateOIDCUser creates an account with no password, linked to (providerID, subject),
	// with a username made unique from base by a numeric suffix, and its email verified: only
	// an address the provider verified makes an account.
	CreateOIDCUser(ctx context.Context, providerID, subject, email, base string) (*User, error)
	// SaveOIDCPendingLink stores a pending link.
	SaveOIDCPendingLink(ctx context.Context, l *OIDCPendingLink) error
	// TakeOIDCPendingLink deletes the live pending link with this hash and links it; when the
	// account's address is still the link's Email, it counts as verified from then on, and
	// the comments held only for want of that are released as RecoveryStore.VerifyEmail
	// releases them. It returns the link; ENOTFOUND when unknown, used or expired.
	TakeOIDCPendingLink(ctx context.Context, hash []byte, now time.Time) (*OIDCPendingLink, error)
	// Site answers the allowed origins of a site; ENOTFOUND for no site.
	SiteAllowedOrigins(ctx context.Context, siteID string) ([]string, error)
}

// OIDCSignIn is how a finished OpenID Connect sign-in ends: either a session (Session set),
// or, when the verified email belongs to an account that is not linked yet, a question to the
// reader (LinkToken set, to be confirmed with ConfirmOIDCLink). Origin is the allowed origin
// that opened the popup, the only target the answer may be posted to.
type OIDCSignIn struct {
	Origin    string
	Session   *AuthPayload
	LinkToken string
	LinkEmail string
}

// OIDCService runs OpenID Connect sign-in; the server's /oidc endpoints speak to it.
type OIDCService interface {
	// AddOIDCProvider adds a provider (admins only); the secret is stored, never answered.
	AddOIDCProvider(ctx context.Context, p *OIDCProvider) error
	// OIDCProviders lists the providers a site's readers may sign in with (public: the
	// widget shows a button for each).
	OIDCProviders(ctx context.Context, siteID string) ([]*OIDCProvider, error)
	// AllOIDCProviders lists every provider with its settings, disabled ones included and
	// secrets left out (admins only): those usable on siteID, or every one for "".
	AllOIDCProviders(ctx context.Context, siteID string) ([]*OIDCProvider, error)
	// UpdateOIDCProvider changes a provider's name, client, secret or whether it is enabled
	// (admins only).
	UpdateOIDCProvider(ctx context.Context, u OIDCProviderUpdate) (*OIDCProvider, error)
	// RemoveOIDCProvider deletes a provider and its links (admins only); accounts made
	// through it stay, and sign in by password reset or another provider.
	RemoveOIDCProvider(ctx context.Context, id string) error
	// StartOIDC begins a sign-in and answers the provider's authorization URL.
	StartOIDC(ctx context.Context, providerID, siteID, origin string) (string, error)
	// FinishOIDC ends a sign-in with the provider's state and code. A refusal after the
	// state was found also answers an OIDCSignIn holding only Origin, where the popup may
	// post why.
	FinishOIDC(ctx context.Context, state, code string) (*OIDCSignIn, error)
	// ConfirmOIDCLink links an existing account after the reader's consent and signs in.
	ConfirmOIDCLink(ctx context.Context, token string) (*OIDCSignIn, error)
	// CallbackURL is the redirect URI administrators register at each provider: this
	// instance's {publicURL}/oidc/callback, which may differ from the address the dashboard
	// was opened at.
	CallbackURL() string
}

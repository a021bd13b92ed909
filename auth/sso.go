package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/golang-jwt/jwt/v5"
	"github.com/parleyhq/parley"
)

// Single sign-on token limits. A host site signs a short-lived JWT for its signed-in reader
// with the site's secret; the widget hands it to us once. Short lifetimes and single use keep a
// token that leaks (through a log, a referrer or a browser extension) nearly worthless.
const (
	// MaxSSOTokenLength bounds what is parsed at all.
	MaxSSOTokenLength = 4096
	// MaxSSOTokenLifetime is the longest exp − iat accepted.
	MaxSSOTokenLifetime = 10 * time.Minute
	// SSOClockLeeway forgives small clock differences between the host site and us, for
	// exp, nbf and iat alike.
	SSOClockLeeway = 30 * time.Second
	// maxSSOIDLength bounds sub and jti, which are stored.
	maxSSOIDLength = 255
)

// SSOIdentity is what a verified single sign-on token says about a reader.
type SSOIdentity struct {
	// Subject is the host site's stable ID for the reader; with the site's ID it names the
	// account, so a reader who changes email or username keeps their account.
	Subject  string
	Email    string
	Username string
	// JTI is the token's unique ID, claimed once so that the token cannot be replayed.
	JTI       string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// ssoError is the answer for a token we refuse: always EUNAUTHENTICATED, with a message that
// tells the host site's developer what to fix.
func ssoError(format string, args ...any) error {
	return parley.Errorf(parley.EUNAUTHENTICATED, format, args...)
}

// VerifySSOToken checks a host site's sign-in token against the site's secret at time now.
// Only HS256 is accepted: the algorithm is fixed here, never taken from the token, so that
// "alg: none" and algorithm-confusion tricks fail. The token must carry sub, exp, iat, jti,
// email and username, must live at most MaxSSOTokenLifetime, and must not be issued in the
// future. Every refusal is EUNAUTHENTICATED with a message naming the problem, except a
// well-signed token whose email or username fails our rules, which is EINVALID: the token is
// genuine but the host site sent a value we cannot use. Replay is checked by the caller with
// AccountStore.ClaimJTI, since it needs storage.
func VerifySSOToken(raw string, secret []byte, now time.Time) (*SSOIdentity, error) {
	if len(secret) == 0 {
		return nil, errors.New("auth: VerifySSOToken called with an empty secret")
	}
	switch {
	case raw == "":
		return nil, ssoError("No sign-in token was given.")
	case len(raw) > MaxSSOTokenLength:
		return nil, ssoError("The sign-in token is longer than %d bytes.", MaxSSOTokenLength)
	}

	claims := jwt.MapClaims{}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithTimeFunc(func() time.Time { return now }),
		jwt.WithLeeway(SSOClockLeeway),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithStrictDecoding(),
	)
	tok, err := parser.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return secret, nil })
	if err != nil {
		return nil, classifyJWTError(tok, claims, err)
	}

	id, err := identityFrom(claims)
	if err != nil {
		return nil, err
	}
	switch lifetime := id.ExpiresAt.Sub(id.IssuedAt); {
	case lifetime < 0:
		return nil, ssoError("The sign-in token expires before it was issued (exp is earlier than iat).")
	case lifetime > MaxSSOTokenLifetime:
		return nil, ssoError("The sign-in token is valid for %s, longer than the %s limit; issue tokens that expire within %s.",
			lifetime, MaxSSOTokenLifetime, MaxSSOTokenLifetime)
	}
	if err := validateSSOProfile(id); err != nil {
		return nil, err
	}
	return id, nil
}

// classifyJWTError turns the library's error into one clear message. The order matters: a
// token that is not a JWT, or not HS256, says so before anything else; a wrong signature is
// reported before any claim problem, since the claims of a forged token mean nothing.
func classifyJWTError(tok *jwt.Token, claims jwt.MapClaims, err error) error {
	if tok == nil || errors.Is(err, jwt.ErrTokenMalformed) {
		return ssoError("The sign-in token is malformed: it is not a JSON Web Token (header.payload.signature in base64url).")
	}
	alg, ok := tok.Header["alg"].(string)
	switch {
	case !ok:
		return ssoError("The sign-in token's header names no algorithm; sign it with HS256.")
	case strings.EqualFold(alg, "none"):
		return ssoError("The sign-in token is unsigned (alg \"none\"); sign it with HS256 and the site's secret.")
	case alg != jwt.SigningMethodHS256.Alg():
		return ssoError("The sign-in token is signed with %q; only HS256 is accepted.", alg)
	}
	if errors.Is(err, jwt.ErrTokenSignatureInvalid) {
		return ssoError("The sign-in token's signature does not match the site's single sign-on secret.")
	}
	if !errors.Is(err, jwt.ErrTokenInvalidClaims) {
		return ssoError("The sign-in token could not be verified.")
	}

	// The signature is good; only the claims are wrong. Missing claims first: they are a
	// steady bug on the host site, while timing problems may come and go.
	if _, err := identityFrom(claims); err != nil {
		return err
	}
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return ssoError("The sign-in token has expired; the host site should issue a fresh one for each sign-in.")
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return ssoError("The sign-in token was issued in the future (iat); check the host site's clock.")
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return ssoError("The sign-in token is not valid yet (nbf is in the future); check the host site's clock.")
	}
	return ssoError("The sign-in token has an invalid claim: exp, iat and nbf must be numbers of seconds since 1970.")
}

// identityFrom reads the required claims, checking presence, type and size only.
func identityFrom(claims jwt.MapClaims) (*SSOIdentity, error) {
	id := &SSOIdentity{}
	var err error
	if id.Subject, err = idClaim(claims, "sub"); err != nil {
		return nil, err
	}
	if id.ExpiresAt, err = timeClaim(claims, "exp"); err != nil {
		return nil, err
	}
	if id.IssuedAt, err = timeClaim(claims, "iat"); err != nil {
		return nil, err
	}
	if id.JTI, err = idClaim(claims, "jti"); err != nil {
		return nil, err
	}
	if id.Email, err = stringClaim(claims, "email"); err != nil {
		return nil, err
	}
	if id.Username, err = stringClaim(claims, "username"); err != nil {
		return nil, err
	}
	return id, nil
}

func missingClaim(name string) error {
	return ssoError("The sign-in token lacks the required %q claim.", name)
}

func stringClaim(claims jwt.MapClaims, name string) (string, error) {
	v, ok := claims[name]
	if !ok || v == nil || v == "" {
		return "", missingClaim(name)
	}
	s, ok := v.(string)
	if !ok {
		return "", ssoError("The sign-in token's %q claim must be a string.", name)
	}
	return s, nil
}

// idClaim reads sub or jti: printable text of bounded size, since both are stored.
func idClaim(claims jwt.MapClaims, name string) (string, error) {
	s, err := stringClaim(claims, name)
	if err != nil {
		return "", err
	}
	if len(s) > maxSSOIDLength {
		return "", ssoError("The sign-in token's %q claim is longer than %d bytes.", name, maxSSOIDLength)
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "", ssoError("The sign-in token's %q claim contains control characters.", name)
	}
	return s, nil
}

func timeClaim(claims jwt.MapClaims, name string) (time.Time, error) {
	var d *jwt.NumericDate
	var err error
	switch name {
	case "exp":
		d, err = claims.GetExpirationTime()
	case "iat":
		d, err = claims.GetIssuedAt()
	default:
		return time.Time{}, fmt.Errorf("auth: no time claim %q", name)
	}
	if err != nil {
		return time.Time{}, ssoError("The sign-in token's %q claim must be a number of seconds since 1970.", name)
	}
	if d == nil {
		return time.Time{}, missingClaim(name)
	}
	return d.Time, nil
}

// validateSSOProfile applies our username and email rules to a genuine token. A failure is
// the host site's data, not an attack, so it is EINVALID and says so.
func validateSSOProfile(id *SSOIdentity) error {
	id.Email = strings.TrimSpace(id.Email)
	id.Username = strings.TrimSpace(id.Username)
	if err := parley.ValidateEmail(id.Email); err != nil {
		return parley.FieldErrorf("token", "The host site sent a bad \"email\" claim in its sign-in token: %s", parley.ErrorMessage(err))
	}
	if err := parley.ValidateUsername(id.Username); err != nil {
		return parley.FieldErrorf("token", "The host site sent a bad \"username\" claim in its sign-in token: %s", parley.ErrorMessage(err))
	}
	return nil
}

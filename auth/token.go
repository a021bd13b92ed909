package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"github.com/parleyhq/parley"
)

// Token prefixes say what a bearer token is at a glance, so that a leaked token found in a log
// or a repository can be recognised (and secret scanners can match it) without a lookup.
const (
	SessionTokenPrefix = "pst_"
	APITokenPrefix     = "pat_"
)

// Token kinds, kept in parley.Token.Kind: a session from a sign-in, or a long-lived API token.
const (
	KindSession = "session"
	KindAPI     = "api"
)

// tokenRandomBytes is the entropy in every token: 256 bits, beyond any guessing.
const tokenRandomBytes = 32

// TokenLength is the exact length of every token: a 4-byte prefix and 32 random bytes in
// unpadded base64url. HashToken refuses anything else before hashing it.
const TokenLength = 4 + 43

var tokenB64 = base64.RawURLEncoding

// NewToken makes a bearer token of a kind (KindSession or KindAPI). It returns the secret,
// which goes to the client once and is never stored, and its SHA-256 hash, which is what the
// store keeps. A fast hash is enough here: unlike passwords, tokens have full entropy.
func NewToken(kind string) (secret string, hash []byte, err error) {
	var prefix string
	switch kind {
	case KindSession:
		prefix = SessionTokenPrefix
	case KindAPI:
		prefix = APITokenPrefix
	default:
		return "", nil, fmt.Errorf("auth: unknown token kind %q", kind)
	}
	b := make([]byte, tokenRandomBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("auth: read token randomness: %w", err)
	}
	secret = prefix + tokenB64.EncodeToString(b)
	return secret, hashTokenString(secret), nil
}

// errMalformedToken is the answer for anything that cannot be one of our tokens.
func errMalformedToken() error {
	return parley.Errorf(parley.EUNAUTHENTICATED, "The access token is malformed; sign in again to get a new one.")
}

// HashToken returns the hash under which a presented token would be stored. Anything that
// cannot be a token we issued (wrong length, unknown prefix, not base64url) is EUNAUTHENTICATED
// without touching storage, so that junk in an Authorization header costs next to nothing.
func HashToken(presented string) ([]byte, error) {
	if len(presented) != TokenLength {
		return nil, errMalformedToken()
	}
	switch presented[:4] {
	case SessionTokenPrefix, APITokenPrefix:
	default:
		return nil, errMalformedToken()
	}
	// Strict decoding also refuses non-zero trailing bits, so each token has one spelling.
	if b, err := tokenB64.Strict().DecodeString(presented[4:]); err != nil || len(b) != tokenRandomBytes {
		return nil, errMalformedToken()
	}
	return hashTokenString(presented), nil
}

// hashTokenString hashes the whole token, prefix included, so a session token's random part
// can never be replayed as an API token.
func hashTokenString(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

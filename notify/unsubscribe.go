package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/parleyhq/parley"
)

// Unsubscribe signs and checks the tokens of one-click unsubscribe links (RFC 8058): a token
// names a user and a kind, and carries an HMAC under an instance secret, so a link turns off
// only what it was sent for, and an edited one is refused.
type Unsubscribe struct{ key []byte }

// NewUnsubscribe returns the signer for key (an instance secret shared by every replica).
func NewUnsubscribe(key []byte) *Unsubscribe { return &Unsubscribe{key: key} }

var b64 = base64.RawURLEncoding

// Token returns the unsubscribe token of one user and the kinds a mail is about (one for a
// notification, those of a digest).
func (u *Unsubscribe) Token(userID string, kinds ...parley.NotificationKind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	payload := b64.EncodeToString([]byte(userID + ":" + strings.Join(names, ",")))
	return payload + "." + b64.EncodeToString(u.sign(payload))
}

func (u *Unsubscribe) sign(payload string) []byte {
	m := hmac.New(sha256.New, u.key)
	m.Write([]byte("unsubscribe:" + payload))
	return m.Sum(nil)
}

// Check returns the user and kinds of a token; a token that is damaged or was not signed
// here is EINVALID naming the token.
func (u *Unsubscribe) Check(token string) (string, []parley.NotificationKind, error) {
	invalid := parley.FieldErrorf("token", "This unsubscribe link is damaged or not ours; use the link from the email as it is.")
	payload, sig, ok := strings.Cut(strings.TrimSpace(token), ".")
	if !ok || len(token) > 300 {
		return "", nil, invalid
	}
	got, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(got, u.sign(payload)) {
		return "", nil, invalid
	}
	raw, err := b64.DecodeString(payload)
	if err != nil {
		return "", nil, invalid
	}
	userID, list, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", nil, invalid
	}
	var kinds []parley.NotificationKind
	for _, k := range strings.Split(list, ",") {
		if !parley.NotificationKind(k).Valid() {
			return "", nil, invalid
		}
		kinds = append(kinds, parley.NotificationKind(k))
	}
	return userID, kinds, nil
}

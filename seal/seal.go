// Package seal encrypts secrets at rest under the operator's key (PARLEY_SECRET_KEY):
// AES-256-GCM with a key derived by HKDF-SHA256 for one purpose each, so that a database dump
// alone holds no usable secret. Federation seals its private keys with it, webhooks their
// signing secrets; each purpose gets its own key from the same secret.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// MinSecretLength is the shortest operator secret New accepts: shorter ones are guessable.
const MinSecretLength = 16

// Box seals and opens with one purpose's key. A nil *Box seals nothing: Text keeps
// the plain text, and OpenText opens only plain text.
type Box struct{ aead cipher.AEAD }

// New derives purpose's key from secret; "" gives nil, no sealing. purpose must stay the same
// for as long as anything sealed with it is stored (it is the HKDF info).
func New(secret, purpose string) (*Box, error) {
	if secret == "" {
		return nil, nil
	}
	if len(secret) < MinSecretLength {
		return nil, errors.New("PARLEY_SECRET_KEY must be at least 16 characters long")
	}
	key, err := hkdf.Key(sha256.New, []byte(secret), nil, purpose, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal returns nonce || ciphertext, with ad (the row's ID) as additional data, so that a
// sealed value cannot be moved to another row.
func (b *Box) Seal(ad string, plain []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return b.aead.Seal(nonce, nonce, plain, []byte(ad))
}

// Open opens what Seal sealed with the same ad.
func (b *Box) Open(ad string, sealed []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed value too short")
	}
	return b.aead.Open(nil, sealed[:n], sealed[n:], []byte(ad))
}

// textPrefix marks a sealed value in a text column, so plain values stored before sealing
// was turned on are told apart and still read.
const textPrefix = "sealed:v1:"

// Text seals plain for a text column ("sealed:v1:" and base64); a nil Box returns plain.
func (b *Box) Text(ad, plain string) string {
	if b == nil {
		return plain
	}
	return textPrefix + base64.RawStdEncoding.EncodeToString(b.Seal(ad, []byte(plain)))
}

// IsSealedText reports whether a text column's value was sealed by Text.
func IsSealedText(stored string) bool { return strings.HasPrefix(stored, textPrefix) }

// OpenText returns the plain value of a text column: stored itself when it is not sealed
// (written before sealing was turned on), else what Text sealed with the same ad.
func (b *Box) OpenText(ad, stored string) (string, error) {
	rest, sealed := strings.CutPrefix(stored, textPrefix)
	if !sealed {
		return stored, nil
	}
	if b == nil {
		return "", errors.New("the value is sealed: set PARLEY_SECRET_KEY (or PARLEY_SECRET_KEY_FILE) to the secret it was sealed with")
	}
	raw, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil {
		return "", errors.New("the sealed value is damaged")
	}
	plain, err := b.Open(ad, raw)
	if err != nil {
		return "", errors.New("the sealed value does not open with PARLEY_SECRET_KEY: is it the secret it was sealed with?")
	}
	return string(plain), nil
}

package federation

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Envelope is every federated message: who sends it (Origin, KeyID), what it is (Kind,
// Payload), when it was made (Created) and the Ed25519 signature over its canonical bytes.
//
// On the wire it is one JSON object with exactly these members:
//
//	{"id":"…","origin":"…","kind":"…","created":"2026-12-07T08:00:00.123Z","keyID":"…","payload":{…},"sig":"…"}
//
// The canonical bytes that Sig signs are, with "\n" a single line feed (0x0A):
//
//	"parley-envelope/1\n" id "\n" origin "\n" kind "\n" created "\n" keyID "\n" len "\n" payload
//
// where created is the member's text as sent (always CreatedLayout, UTC, milliseconds), len
// is the decimal length in bytes of payload, and payload is the payload member's JSON with
// the insignificant white space removed (encoding/json's Compact; string contents and their
// escapes are kept byte for byte). id, origin, kind and keyID may hold only ASCII letters,
// digits, ".", "-" and "_", so no field can contain the separator and no two envelopes share
// canonical bytes. Sig is the unpadded base64url of the 64-byte signature.
type Envelope struct {
	ID      string          `json:"id"`
	Origin  string          `json:"origin"`
	Kind    string          `json:"kind"`
	Created string          `json:"created"`
	KeyID   string          `json:"keyID"`
	Payload json.RawMessage `json:"payload"`
	Sig     string          `json:"sig"`
}

// CreatedLayout is the only accepted form of Envelope.Created.
const CreatedLayout = "2006-01-02T15:04:05.000Z"

// canonicalTag starts the canonical bytes, naming the format's version so that a signature
// made for another format or purpose never verifies as an envelope.
const canonicalTag = "parley-envelope/1\n"

// DefaultMaxEnvelopeBytes bounds an envelope on the wire. A comment is at most some tens of
// kilobytes; anything larger is refused before it is parsed.
const DefaultMaxEnvelopeBytes = 64 << 10

// Canonical returns the bytes the signature covers, with payload already compacted.
func (e *Envelope) Canonical() []byte {
	var b bytes.Buffer
	b.Grow(len(canonicalTag) + len(e.ID) + len(e.Origin) + len(e.Kind) + len(e.Created) + len(e.KeyID) + len(e.Payload) + 16)
	b.WriteString(canonicalTag)
	for _, f := range [...]string{e.ID, e.Origin, e.Kind, e.Created, e.KeyID, strconv.Itoa(len(e.Payload))} {
		b.WriteString(f)
		b.WriteByte('\n')
	}
	b.Write(e.Payload)
	return b.Bytes()
}

// CreatedTime is Created parsed; Decode has checked it.
func (e *Envelope) CreatedTime() time.Time {
	t, _ := time.Parse(CreatedLayout, e.Created)
	return t
}

// Sign makes a signed envelope of kind with payload (marshalled to JSON) created at now.
func (s *Signer) Sign(kind string, payload any, now time.Time) (*Envelope, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("envelope payload: %w", err)
	}
	var id [16]byte
	_, _ = rand.Read(id[:])
	return s.SignRaw(hex.EncodeToString(id[:]), kind, raw, now)
}

// SignRaw signs an envelope with a given ID and payload JSON, for tests that need exact
// bytes and for retries that must keep their ID.
func (s *Signer) SignRaw(id, kind string, payload []byte, now time.Time) (*Envelope, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, payload); err != nil {
		return nil, fmt.Errorf("envelope payload: %w", err)
	}
	e := &Envelope{ID: id, Origin: s.Origin, Kind: kind, Created: now.UTC().Format(CreatedLayout),
		KeyID: s.KeyID, Payload: compact.Bytes()}
	if err := e.checkFields(); err != nil {
		return nil, err
	}
	e.Sig = base64.RawURLEncoding.EncodeToString(ed25519.Sign(s.key, e.Canonical()))
	return e, nil
}

// Marshal returns the envelope's wire form.
func (e *Envelope) Marshal() []byte {
	b, _ := json.Marshal(e) // every field is a string or valid JSON
	return b
}

// DecodeError says why bytes are not an envelope; Reason is the counted label.
type DecodeError struct {
	Reason string
	Err    error
}

func (e *DecodeError) Error() string { return "envelope " + e.Reason + ": " + e.Err.Error() }

// Decode reads an envelope from its wire form, refusing anything larger than max bytes,
// any member other than the seven, a field out of its alphabet, a created time not in
// CreatedLayout and a signature of the wrong size. It checks form only: Verifier checks
// who signed it.
func Decode(data []byte, max int) (*Envelope, error) {
	if max <= 0 {
		max = DefaultMaxEnvelopeBytes
	}
	if len(data) > max {
		return nil, &DecodeError{"too_large", fmt.Errorf("%d bytes, at most %d", len(data), max)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var e Envelope
	if err := dec.Decode(&e); err != nil {
		return nil, &DecodeError{"malformed", err}
	}
	if dec.More() {
		return nil, &DecodeError{"malformed", errors.New("data after the envelope")}
	}
	if len(e.Payload) == 0 || e.Payload[0] != '{' {
		return nil, &DecodeError{"malformed", errors.New("payload is not an object")}
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, e.Payload); err != nil {
		return nil, &DecodeError{"malformed", err}
	}
	e.Payload = compact.Bytes()
	if err := e.checkFields(); err != nil {
		return nil, err
	}
	if sig, err := base64.RawURLEncoding.Strict().DecodeString(e.Sig); err != nil || len(sig) != ed25519.SignatureSize {
		return nil, &DecodeError{"bad_field", errors.New("sig is not a base64url Ed25519 signature")}
	}
	return &e, nil
}

// checkFields checks the alphabet and lengths of the header fields and the created time.
func (e *Envelope) checkFields() error {
	for _, f := range [...]struct{ name, v string }{{"id", e.ID}, {"origin", e.Origin}, {"kind", e.Kind}, {"keyID", e.KeyID}} {
		if !token(f.v, 64) {
			return &DecodeError{"bad_field", fmt.Errorf("%s must be 1 to 64 of [A-Za-z0-9._-]", f.name)}
		}
	}
	t, err := time.Parse(CreatedLayout, e.Created)
	if err != nil || t.Format(CreatedLayout) != e.Created {
		return &DecodeError{"bad_field", fmt.Errorf("created must be in the form %s", CreatedLayout)}
	}
	return nil
}

// token reports whether s is 1 to max bytes of [A-Za-z0-9._-].
func token(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// VerifySignature checks the signature against pub.
func (e *Envelope) VerifySignature(pub ed25519.PublicKey) bool {
	sig, err := base64.RawURLEncoding.Strict().DecodeString(e.Sig)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return false
	}
	return ed25519.Verify(pub, e.Canonical(), sig)
}

// jsonMarshal marshals a payload.
func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

package federation

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"
)

// WellKnownPath is where an instance describes itself to peers.
const WellKnownPath = "/.well-known/parley"

// Document is the JSON served at /.well-known/parley: what a peer pins when an admin adds
// this instance, and reads again to learn of rotations and revocations.
type Document struct {
	Name              string        `json:"name"`
	URL               string        `json:"url"`
	FederationAddress string        `json:"federationAddress"`
	Software          Software      `json:"software"`
	Keys              []DocumentKey `json:"keys"`
}

// Software names the implementation and its version.
type Software struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// DocumentKey is one public key with its validity. Current marks the key that signs new
// envelopes (a key rotated in is listed before it signs, so peers pin it in time); a rotated key has ValidUntil (the end of its overlap window); a revoked key
// has RevokedAt and must no longer be accepted.
type DocumentKey struct {
	ID          string     `json:"id"`
	Algorithm   string     `json:"algorithm"`
	PublicKey   []byte     `json:"publicKey"`
	Fingerprint string     `json:"fingerprint"`
	Current     bool       `json:"current"`
	ValidFrom   time.Time  `json:"validFrom"`
	ValidUntil  *time.Time `json:"validUntil,omitempty"`
	RevokedAt   *time.Time `json:"revokedAt,omitempty"`
}

// Document returns the instance's well-known document; url is its public URL and version
// the software's.
func (id *Identity) Document(ctx context.Context, url, version string) (*Document, error) {
	keys, err := id.store.InstanceKeys(ctx)
	if err != nil {
		return nil, err
	}
	cur := signing(keys, id.now(), id.activation)
	d := &Document{Name: id.name, URL: url, FederationAddress: id.address,
		Software: Software{Name: "parley", Version: version}, Keys: []DocumentKey{}}
	for _, k := range keys {
		d.Keys = append(d.Keys, DocumentKey{ID: k.ID, Algorithm: "ed25519", PublicKey: k.PublicKey,
			Fingerprint: Fingerprint(k.PublicKey), Current: cur != nil && cur.ID == k.ID,
			ValidFrom: k.CreatedAt.UTC(), ValidUntil: utc(k.NotAfter), RevokedAt: utc(k.RevokedAt)})
	}
	return d, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// WellKnownHandler serves the document. It is public and cacheable for a minute: peers
// poll it for key changes.
func (id *Identity) WellKnownHandler(url, version string, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := id.Document(r.Context(), url, version)
		if err != nil {
			if logger != nil {
				logger.Error("well-known document", "error", err)
			}
			http.Error(w, "Internal error.", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=60")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_ = json.NewEncoder(w).Encode(d)
	})
}

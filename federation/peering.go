package federation

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// Default quotas of a new peer, changed per peer later.
const (
	DefaultPeerMessagesPerSecond = 50
	DefaultPeerMaxBytes          = 64 << 20
	DefaultPeerMaxBacklog        = 100_000
	DefaultTrustWeight           = 0.5
)

// maxDocumentBytes bounds a peer's well-known document.
const maxDocumentBytes = 256 << 10

// AddPeer fetches the peer's /.well-known/parley, pins its name and keys, and tells the peer
// (a signed link message) that we added it. The link is pending until the peer's admins add
// us too; whichever side adds second makes both active.
func (s *Service) AddPeer(ctx context.Context, in parley.AddPeerInput) (*parley.Peer, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	base, err := peerURL(in.URL)
	if err != nil {
		return nil, err
	}
	doc, err := s.fetchDocument(ctx, base)
	if err != nil {
		return nil, err
	}
	if doc.Name == s.id.Name() {
		return nil, parley.FieldErrorf("url", "%s is this instance (%s), or an instance of the same name; instance names must be unique among peers.", base, doc.Name)
	}
	keys, fingerprint, err := pinKeys(doc, nil, s.o.Now())
	if err != nil {
		return nil, err
	}
	p := &parley.Peer{Name: doc.Name, URL: base, FederationAddress: doc.FederationAddress, Keys: keys,
		Fingerprint: fingerprint, State: parley.PeerPending, LocalAdded: true, Exchange: []string{"stories"},
		TrustWeight: DefaultTrustWeight, MaxMessagesPerSecond: DefaultPeerMessagesPerSecond,
		MaxBytes: DefaultPeerMaxBytes, MaxBacklog: DefaultPeerMaxBacklog}
	if err := s.id.ensureLeafSecret(p); err != nil {
		return nil, err
	}
	if err := s.store.CreatePeer(ctx, p); err != nil {
		return nil, err
	}
	linked, err := s.sendLink(ctx, p)
	if err != nil {
		// The peer may be down; its own addPeer will complete the link.
		s.o.Logger.Warn("federation: link message not delivered; the link completes when the peer adds us", "peer", p.Name, "error", err)
		return p, nil
	}
	if linked {
		p.RemoteConfirmed, p.State = true, parley.PeerActive
		if err := s.store.UpdatePeer(ctx, p); err != nil {
			return nil, err
		}
		s.changed()
	}
	return p, nil
}

// peerURL checks and normalises a peer's public URL: http or https, a host, no query.
func peerURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "", parley.FieldErrorf("url", "The peer's URL must be an http or https URL such as https://comments.example.org.")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", parley.FieldErrorf("url", "The peer's URL must not have a query or fragment.")
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/"), nil
}

// fetchDocument reads a peer's well-known document; any failure is the admin's input
// problem (a wrong URL, a peer that is down), answered EINVALID with what went wrong.
func (s *Service) fetchDocument(ctx context.Context, base string) (*Document, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+WellKnownPath, nil)
	if err != nil {
		return nil, parley.FieldErrorf("url", "The peer's URL is not usable: %v", err)
	}
	req.Header.Set("Accept", "application/json")
	// The document is cacheable for a minute; a key notice needs it as it is now.
	req.Header.Set("Cache-Control", "no-cache")
	resp, err := s.o.Client.Do(req)
	if err != nil {
		return nil, parley.FieldErrorf("url", "Could not read %s%s: %v", base, WellKnownPath, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, parley.FieldErrorf("url", "%s%s answered %s; is it a Parley instance?", base, WellKnownPath, resp.Status)
	}
	var doc Document
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDocumentBytes)).Decode(&doc); err != nil {
		return nil, parley.FieldErrorf("url", "%s%s is not a Parley instance document: %v", base, WellKnownPath, err)
	}
	if !token(doc.Name, 64) {
		return nil, parley.FieldErrorf("url", "The peer's document has no valid instance name.")
	}
	return &doc, nil
}

// pinKeys takes the keys of a document, checking that each ID is its key's, and returns
// the current key's fingerprint. A revoked key stays pinned with its revocation time, the
// earliest of the document's, the one pinned before (old) and now: an envelope of it that
// reached our inbound stream before then was signed while the key was good and is applied
// (one in flight across the revocation); one that reaches it later is refused (revoked_key).
func pinKeys(doc *Document, old []parley.PeerKey, now time.Time) ([]parley.PeerKey, string, error) {
	var keys []parley.PeerKey
	fingerprint := ""
	for _, k := range doc.Keys {
		if k.Algorithm != "ed25519" || len(k.PublicKey) != ed25519.PublicKeySize || KeyID(k.PublicKey) != k.ID {
			return nil, "", parley.FieldErrorf("url", "The peer's document has a key (%q) that is not a valid Ed25519 key with its ID.", k.ID)
		}
		pk := parley.PeerKey{ID: k.ID, PublicKey: k.PublicKey, ValidFrom: k.ValidFrom, ValidUntil: k.ValidUntil}
		if k.RevokedAt != nil {
			at := now.UTC()
			if k.RevokedAt.Before(at) {
				at = k.RevokedAt.UTC()
			}
			for _, o := range old {
				if o.ID == k.ID && o.RevokedAt != nil && o.RevokedAt.Before(at) {
					at = *o.RevokedAt
				}
			}
			pk.RevokedAt = &at
		}
		keys = append(keys, pk)
		if k.Current && k.RevokedAt == nil {
			fingerprint = Fingerprint(k.PublicKey)
		}
	}
	if fingerprint == "" {
		return nil, "", parley.FieldErrorf("url", "The peer's document names no current key.")
	}
	return keys, fingerprint, nil
}

// linkAnswer is the body of an answer to a link message.
type linkAnswer struct {
	// Linked is true when the answering instance has added the sender too.
	Linked bool   `json:"linked"`
	Reason string `json:"reason,omitempty"`
	// Link, when Linked, is the answerer's own signed link message, which carries the hash
	// of its leaf password.
	Link json.RawMessage `json:"link,omitempty"`
}

// link signs this instance's link message to p, with the hash of the leaf password it
// presents there.
func (s *Service) link(ctx context.Context, p *parley.Peer) (*Envelope, error) {
	signer, err := s.id.Signer(ctx)
	if err != nil {
		return nil, err
	}
	hash, err := s.id.leafHash(p)
	if err != nil {
		return nil, err
	}
	return signer.Sign(KindLink, LinkPayload{Peer: p.Name, URL: s.o.PublicURL, LeafHash: hash}, s.o.Now())
}

// sendLink posts a signed link message to the peer and reports whether it has added us;
// when it has, p takes the hash of the peer's leaf password from its signed answer (the
// caller stores p).
func (s *Service) sendLink(ctx context.Context, p *parley.Peer) (bool, error) {
	env, err := s.link(ctx, p)
	if err != nil {
		return false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+LinkPath, bytes.NewReader(env.Marshal()))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.o.Client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	var a linkAnswer
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&a); err != nil {
		return false, fmt.Errorf("link answer (%s): %w", resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("link refused (%s): %s", resp.Status, a.Reason)
	}
	if a.Linked && len(a.Link) > 0 {
		v, err := s.verifier.Verify(ctx, a.Link, s.o.Now())
		if err != nil {
			return false, fmt.Errorf("link answer of %s: %w", p.Name, err)
		}
		lp, ok := v.Payload.(*LinkPayload)
		if !ok || v.Envelope.Origin != p.Name || lp.Peer != s.id.Name() {
			return false, fmt.Errorf("link answer of %s: not its link to us", p.Name)
		}
		if lp.LeafHash != "" {
			p.LeafHash = lp.LeafHash
		}
	}
	return a.Linked, nil
}

// LinkPath is where peers post link messages.
const LinkPath = WellKnownPath + "/link"

// ReceiveLink takes a peer's link message: verified against the keys pinned when our admin
// added the peer, it marks the peer as having added us, which makes a pending link active.
// It answers whether we have added the sender; a sender we have not added gets false,
// and its link completes when our admin adds it (our own link message then tells it).
func (s *Service) ReceiveLink(ctx context.Context, data []byte) (linkAnswer, error) {
	v, err := s.verifier.Verify(ctx, data, s.o.Now())
	var rej *Rejection
	if errors.As(err, &rej) && rej.Reason == "unknown_origin" {
		return linkAnswer{Linked: false, Reason: "not added here yet"}, nil
	}
	if err != nil {
		return linkAnswer{}, err
	}
	lp, ok := v.Payload.(*LinkPayload)
	if !ok {
		return linkAnswer{}, reject("unknown_kind", "only %s is taken here", KindLink)
	}
	if lp.Peer != s.id.Name() {
		return linkAnswer{}, reject("third_party_object", "the link is meant for %q", lp.Peer)
	}
	p := v.Peer
	p.RemoteConfirmed = true
	if p.LocalAdded && p.State == parley.PeerPending {
		p.State = parley.PeerActive
	}
	if lp.LeafHash != "" {
		p.LeafHash = lp.LeafHash
	}
	answer := linkAnswer{Linked: p.LocalAdded}
	if p.LocalAdded {
		env, err := s.link(ctx, p)
		if err != nil {
			return linkAnswer{}, err
		}
		answer.Link = env.Marshal()
	}
	if err := s.store.UpdatePeer(ctx, p); err != nil {
		return linkAnswer{}, err
	}
	s.changed()
	return answer, nil
}

// LinkHandler serves POST /.well-known/parley/link.
func (s *Service) LinkHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := io.ReadAll(io.LimitReader(r.Body, DefaultMaxEnvelopeBytes+1))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		a, err := s.ReceiveLink(r.Context(), data)
		w.Header().Set("Content-Type", "application/json")
		var rej *Rejection
		switch {
		case errors.As(err, &rej):
			w.WriteHeader(http.StatusForbidden)
			a = linkAnswer{Reason: rej.Reason}
		case err != nil:
			s.o.Logger.Error("federation: link message", "error", err)
			w.WriteHeader(http.StatusInternalServerError)
			a = linkAnswer{Reason: "internal error"}
		}
		_ = json.NewEncoder(w).Encode(a)
	})
}

// RefreshPeerKeys reads every peer's well-known document again and pins its keys as they
// stand: a rotated key's new successor is added, a revoked key is refused from now on. The
// name must not change; a peer that cannot be reached keeps its keys. It returns how many
// peers changed. The runtime calls it periodically and when an envelope names an unknown
// key.
func (s *Service) RefreshPeerKeys(ctx context.Context) (int, error) {
	peers, err := s.store.ListPeers(ctx)
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, p := range peers {
		if p.State == parley.PeerDefederated {
			continue
		}
		q, ok, err := s.pinPeerDocument(ctx, p.Name, time.Time{}, nil)
		var de *docError
		switch {
		case errors.As(err, &de):
			s.o.Logger.Warn("federation: peer's keys not refreshed", "peer", p.Name, "error", err)
			continue
		case parley.ErrorCode(err) == parley.ENOTFOUND:
			continue // removed meanwhile
		case err != nil:
			return changed, err
		case ok:
			changed++
			continue
		case q == nil:
			continue
		}
		if ok, err := s.relink(ctx, q); err != nil {
			s.o.Logger.Warn("federation: leaf credentials not exchanged", "peer", q.Name, "error", err)
		} else if ok {
			changed++
		}
	}
	if changed > 0 {
		s.changed()
	}
	return changed, nil
}

func sameKeys(a, b []parley.PeerKey) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID || !timeEqual(a[i].ValidUntil, b[i].ValidUntil) || !timeEqual(a[i].RevokedAt, b[i].RevokedAt) {
			return false
		}
	}
	return true
}

func timeEqual(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

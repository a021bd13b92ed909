package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// Key notices: when an instance rotates or revokes a key it tells every peer at once, so
// that a revoked key stops being accepted there now rather than at the peer's next reading
// of its document (PeerRefreshInterval). The notice is a signed envelope of KindKeys posted
// to the peer's KeysPath, signed with the newest key. It carries no key: it only makes the
// receiver read the sender's /.well-known/parley again, from the URL it pinned, and the
// receiver takes the keys of that document only if the notice's own signature verifies
// with one of them, valid now. So a notice signed with a revoked key, or with a key the
// sender's document does not list, changes nothing; one signed with a key still pinned (a
// thief's, before the receiver learnt of the revocation) can only make the receiver read
// the document that revokes it. A notice is never passed over NATS: there it would wait
// behind the peer's backlog, and the inbound path ignores its kind (unknown_kind).

// KindKeys is the kind of a key notice.
const KindKeys = "peer.keys"

// KeysPath is where peers post key notices.
const KeysPath = WellKnownPath + "/keys"

// KeysPayload is a key notice's payload: the peer it is addressed to.
type KeysPayload struct {
	Peer string `json:"peer"`
}

// DocumentReadInterval is the least time between two readings of one peer's document
// that key notices cause: notices arriving meanwhile wait and share one reading, so that
// whoever sends notices in a loop costs this instance a fetch every few seconds, no more.
const DocumentReadInterval = 2 * time.Second

// peerDocs serialises, per peer, reading its document and pinning its keys, so that a
// reading that started earlier never pins its older keys over a later one's.
type peerDocs struct {
	mu    sync.Mutex
	peers map[string]*peerDoc
}

type peerDoc struct {
	mu  sync.Mutex
	at  time.Time // when the last reading started; zero before any
	doc *Document
	err error
}

func (d *peerDocs) of(name string) *peerDoc {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.peers == nil {
		d.peers = map[string]*peerDoc{}
	}
	if d.peers[name] == nil {
		d.peers[name] = &peerDoc{}
	}
	return d.peers[name]
}

// docError is a peer document that could not be read or was refused: RefreshPeerKeys logs
// it and goes on with the next peer.
type docError struct{ err error }

func (e *docError) Error() string { return e.err.Error() }
func (e *docError) Unwrap() error { return e.err }

// pinPeerDocument reads the named peer's document and pins its keys. A key notice passes
// since, its arrival: a document read at or after it is taken as it is, and a new reading
// waits until DocumentReadInterval after the last one; a refresh passes the zero time and
// always reads. check, when set, must accept the keys about to be pinned, or
// check, when set, must accept the keys about to be pinned, or nothing is stored. It returns the peer as stored and whether its keys changed. A
// defederated peer is left alone (nil, false, nil).
func (s *Service) pinPeerDocument(ctx context.Context, name string, since time.Time, check func(keys []parley.PeerKey) error) (*parley.Peer, bool, error) {
	st := s.docs.of(name)
	st.mu.Lock()
	defer st.mu.Unlock()
	p, err := s.store.FindPeerByName(ctx, name)
	if err != nil {
		return nil, false, err
	}
	if p.State == parley.PeerDefederated {
		return nil, false, nil
	}
	if since.IsZero() || st.at.Before(since) {
		if wait := time.Until(st.at.Add(DocumentReadInterval)); !since.IsZero() && wait > 0 {
			select {
			case <-ctx.Done():
				return nil, false, ctx.Err()
			case <-time.After(wait):
			}
		}
		st.at = time.Now()
		st.doc, st.err = s.fetchDocument(ctx, p.URL)
	}
	if st.err != nil {
		return p, false, &docError{st.err}
	}
	doc := st.doc
	if doc.Name != p.Name {
		return p, false, &docError{fmt.Errorf("the document at %s names %q, not %q", p.URL, doc.Name, p.Name)}
	}
	keys, fingerprint, err := pinKeys(doc, p.Keys, s.o.Now())
	if err != nil {
		return p, false, &docError{err}
	}
	if check != nil {
		if err := check(keys); err != nil {
			return p, false, err
		}
	}
	if sameKeys(p.Keys, keys) && p.Fingerprint == fingerprint && p.FederationAddress == doc.FederationAddress {
		return p, false, nil
	}
	p.Keys, p.Fingerprint, p.FederationAddress = keys, fingerprint, doc.FederationAddress
	if err := s.store.UpdatePeer(ctx, p); err != nil {
		return p, false, err
	}
	s.o.Logger.Info("federation: peer's keys changed", "peer", p.Name, "fingerprint", fingerprint)
	return p, true, nil
}

// AnnounceKeys tells every peer that is not defederated (or only those named in only, when
// any are) that this instance's keys changed (a rotation, a revocation), with a key notice
// signed by the newest key; each peer reads the document again at once. It returns, per
// peer, the error of its notice (nil when the peer took it); a peer that did not still
// reads the document at its periodic refresh.
func (s *Service) AnnounceKeys(ctx context.Context, only ...string) (map[string]error, error) {
	signer, err := s.id.newestSigner(ctx)
	if err != nil {
		return nil, err
	}
	peers, err := s.store.ListPeers(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]error{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, p := range peers {
		if p.State == parley.PeerDefederated || len(only) > 0 && !slices.Contains(only, p.Name) {
			continue
		}
		wg.Go(func() {
			err := s.sendKeyNotice(ctx, signer, p)
			if err != nil {
				s.o.Logger.Warn("federation: key notice not taken; the peer learns at its next refresh", "peer", p.Name, "error", err)
			}
			mu.Lock()
			out[p.Name] = err
			mu.Unlock()
		})
	}
	wg.Wait()
	return out, nil
}

// keyNoticeAnswer is the body of an answer to a key notice.
type keyNoticeAnswer struct {
	// Changed is true when the notice made the receiver pin another set of keys.
	Changed bool   `json:"changed"`
	Reason  string `json:"reason,omitempty"`
}

func (s *Service) sendKeyNotice(ctx context.Context, signer *Signer, p *parley.Peer) error {
	env, err := signer.Sign(KindKeys, KeysPayload{Peer: p.Name}, s.o.Now())
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+KeysPath, bytes.NewReader(env.Marshal()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.o.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var a keyNoticeAnswer
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&a); err != nil {
		return fmt.Errorf("key notice answer (%s): %w", resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("key notice refused (%s): %s", resp.Status, a.Reason)
	}
	return nil
}

// ReceiveKeyNotice takes a peer's key notice: when it is genuine it reads the peer's
// document again, from the URL pinned, and pins its keys. Genuine means: addressed to this
// instance, from a peer that is not defederated, fresh (DefaultWindow, DefaultSkew), and
// signed either with a key pinned and valid now, or with a key that the document just read
// lists as valid now; otherwise nothing changes. It reports whether the keys pinned changed.
// A *Rejection says why a notice was refused.
func (s *Service) ReceiveKeyNotice(ctx context.Context, data []byte) (bool, error) {
	arrived := time.Now()
	now := s.o.Now()
	e, err := Decode(data, 0)
	if err != nil {
		de := err.(*DecodeError)
		return false, &Rejection{Reason: de.Reason, Detail: de.Err.Error()}
	}
	if e.Kind != KindKeys {
		return false, reject("unknown_kind", "only %s is taken here", KindKeys)
	}
	var kp KeysPayload
	dec := json.NewDecoder(bytes.NewReader(e.Payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&kp); err != nil {
		return false, reject("bad_payload", "%v", err)
	}
	if e.Origin == s.id.Name() {
		return false, reject("own_origin", "origin %q is this instance", e.Origin)
	}
	if kp.Peer != s.id.Name() {
		return false, reject("third_party_object", "the notice is meant for %q", kp.Peer)
	}
	peer, err := s.store.FindPeerByName(ctx, e.Origin)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return false, reject("unknown_origin", "no peer named %q", e.Origin)
	}
	if err != nil {
		return false, err
	}
	if peer.State == parley.PeerDefederated {
		return false, reject("peer_not_active", "peer %q is %s", e.Origin, peer.State)
	}
	created := e.CreatedTime()
	if created.Before(now.Add(-DefaultWindow)) {
		return false, reject("expired", "created %s, now %s", e.Created, now.UTC().Format(CreatedLayout))
	}
	if created.After(now.Add(DefaultSkew)) {
		return false, reject("from_future", "created %s is after %s", e.Created, now.UTC().Format(CreatedLayout))
	}
	// signedBy checks the notice against a key set: the key must be in it, valid now.
	signedBy := func(keys []parley.PeerKey, notPinned string) error {
		for _, k := range keys {
			if k.ID != e.KeyID {
				continue
			}
			if k.RevokedAt != nil {
				return reject("revoked_key", "key %q of %q is revoked", e.KeyID, e.Origin)
			}
			if !k.ValidAt(now) {
				return reject("key_not_valid", "key %q of %q is expired", e.KeyID, e.Origin)
			}
			if !e.VerifySignature(k.PublicKey) {
				return reject("bad_signature", "signature does not verify with key %q", e.KeyID)
			}
			return nil
		}
		return reject("unknown_key", "key %q is not %s for %q", e.KeyID, notPinned, e.Origin)
	}
	var check func([]parley.PeerKey) error
	if err := signedBy(peer.Keys, "pinned"); err != nil {
		var rej *Rejection
		if !errors.As(err, &rej) || rej.Reason != "unknown_key" {
			return false, err
		}
		// A key not pinned yet (the one a revocation made): only the document read from
		// the pinned URL may vouch for it.
		check = func(keys []parley.PeerKey) error { return signedBy(keys, "in the document") }
	}
	_, changed, err := s.pinPeerDocument(ctx, e.Origin, arrived, check)
	if err != nil {
		return false, err
	}
	if changed {
		s.changed()
	}
	return changed, nil
}

// KeysHandler serves POST /.well-known/parley/keys.
func (s *Service) KeysHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := io.ReadAll(io.LimitReader(r.Body, DefaultMaxEnvelopeBytes+1))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		changed, err := s.ReceiveKeyNotice(r.Context(), data)
		w.Header().Set("Content-Type", "application/json")
		a := keyNoticeAnswer{Changed: changed}
		var rej *Rejection
		var de *docError
		switch {
		case errors.As(err, &rej):
			s.o.Logger.Warn("federation: key notice refused", "reason", rej.Reason, "detail", rej.Detail)
			w.WriteHeader(http.StatusForbidden)
			a = keyNoticeAnswer{Reason: rej.Reason}
		case errors.As(err, &de):
			s.o.Logger.Warn("federation: key notice: peer's document not read", "error", err)
			w.WriteHeader(http.StatusBadGateway)
			a = keyNoticeAnswer{Reason: "document not read"}
		case err != nil:
			s.o.Logger.Error("federation: key notice", "error", err)
			w.WriteHeader(http.StatusInternalServerError)
			a = keyNoticeAnswer{Reason: "internal error"}
		}
		_ = json.NewEncoder(w).Encode(a)
	})
}

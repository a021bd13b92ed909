package federation_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
)

// inboundEnv is a receiving instance "alpha" with three peers: beta (active; its current key,
// a rotated key whose overlap ended an hour ago, and a revoked key), gamma (paused) and
// delta (pending), and an applier that records what it applies.
type inboundEnv struct {
	store    parley.FederationStore
	in       *federation.Inbound
	reg      *prometheus.Registry
	now      time.Time
	beta     *federation.Signer
	rotated  *federation.Signer
	revoked  *federation.Signer
	gamma    *federation.Signer
	delta    *federation.Signer
	stranger *federation.Signer

	mu      sync.Mutex
	applied []string
}

func MustInbound(tb testing.TB) *inboundEnv {
	tb.Helper()
	store, _ := MustStore(tb)
	ctx := context.Background()
	e := &inboundEnv{store: store, now: time.Now().UTC().Truncate(time.Millisecond), reg: prometheus.NewRegistry()}
	signer := func(origin string) (*federation.Signer, parley.PeerKey) {
		pub, priv := MustKey(tb)
		return federation.NewSigner(origin, priv), parley.PeerKey{ID: federation.KeyID(pub), PublicKey: pub, ValidFrom: e.now.Add(-48 * time.Hour)}
	}
	var betaKey, rotatedKey, revokedKey, gammaKey, deltaKey parley.PeerKey
	e.beta, betaKey = signer("beta")
	e.rotated, rotatedKey = signer("beta")
	e.revoked, revokedKey = signer("beta")
	e.gamma, gammaKey = signer("gamma")
	e.delta, deltaKey = signer("delta")
	e.stranger, _ = signer("beta")
	ended, revokedAt := e.now.Add(-time.Hour), e.now.Add(-2*time.Hour)
	rotatedKey.ValidUntil, revokedKey.RevokedAt = &ended, &revokedAt
	for _, p := range []*parley.Peer{
		{Name: "beta", URL: "https://beta.example", State: parley.PeerActive, Keys: []parley.PeerKey{betaKey, rotatedKey, revokedKey}},
		{Name: "gamma", URL: "https://gamma.example", State: parley.PeerPaused, Keys: []parley.PeerKey{gammaKey}},
		{Name: "delta", URL: "https://delta.example", State: parley.PeerPending, Keys: []parley.PeerKey{deltaKey}},
	} {
		p.Fingerprint, p.LocalAdded, p.TrustWeight = federation.Fingerprint(p.Keys[0].PublicKey), true, 0.5
		if err := store.CreatePeer(ctx, p); err != nil {
			tb.Fatal(err)
		}
	}
	v := &federation.Verifier{Self: "alpha", Peer: store.FindPeerByName}
	e.in = federation.NewInbound(v, store, federation.ApplierFunc(func(_ context.Context, v *federation.Verified) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.applied = append(e.applied, v.Envelope.Origin+"/"+v.Envelope.ID)
		return nil
	}), federation.InboundOptions{Metrics: e.reg})
	return e
}

// comment is a well-formed comment payload of origin.
func comment(origin, id string) *federation.CommentPayload {
	return &federation.CommentPayload{
		Comment:    federation.ObjectRef{Instance: origin, ID: id},
		Author:     federation.RemoteUser{Instance: origin, ID: "u1", Username: "ada"},
		StoryURL:   "https://news.example/a/1",
		BodySource: "Hello from " + origin,
		CreatedAt:  time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC),
	}
}

// MustSign signs a payload of kind created at t and returns the wire bytes.
func MustSign(tb testing.TB, s *federation.Signer, kind string, payload any, t time.Time) []byte {
	tb.Helper()
	e, err := s.Sign(kind, payload, t)
	if err != nil {
		tb.Fatal(err)
	}
	return e.Marshal()
}

// tamper decodes wire bytes into a map, lets edit change it, and encodes it again, keeping
// the signature: what a forger on the path can do.
func tamper(tb testing.TB, wire []byte, edit func(m map[string]any)) []byte {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(wire, &m); err != nil {
		tb.Fatal(err)
	}
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// counts reads parley_federation_envelopes_total as "result/reason" → count.
func (e *inboundEnv) counts(tb testing.TB) map[string]float64 {
	tb.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "parley_federation_envelopes_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			var result, reason string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "result":
					result = l.GetValue()
				case "reason":
					reason = l.GetValue()
				}
			}
			if v := m.GetCounter().GetValue(); v > 0 {
				got[result+"/"+reason] = v
			}
		}
	}
	return got
}

func TestInboundRejectsForgeries(t *testing.T) {
	e := MustInbound(t)
	now := e.now
	valid := func() []byte { return MustSign(t, e.beta, federation.KindCommentCreated, comment("beta", "c1"), now) }
	big := comment("beta", "c-big")
	big.BodySource = strings.Repeat("x", federation.DefaultMaxEnvelopeBytes)
	thirdAuthor := comment("beta", "c2")
	thirdAuthor.Author.Instance = "gamma"
	ourComment := comment("beta", "c3")
	ourComment.Comment.Instance = "alpha"
	noBody := comment("beta", "c4")
	noBody.BodySource = ""
	badName := comment("beta", "c4b")
	badName.Author.Username = "admin@gamma"
	mustRaw := func(s *federation.Signer, id, kind, payload string, at time.Time) []byte {
		env, err := s.SignRaw(id, kind, []byte(payload), at)
		if err != nil {
			t.Fatal(err)
		}
		return env.Marshal()
	}
	for _, tc := range []struct {
		name   string
		wire   []byte
		reason string
	}{
		{"an oversized envelope is refused before it is parsed", MustSign(t, e.beta, federation.KindCommentCreated, big, now), "too_large"},
		{"bytes that are not JSON are malformed", []byte("not json at all"), "malformed"},
		{"data after the envelope is malformed", append(valid(), []byte(`{"id":"x"}`)...), "malformed"},
		{"an unknown member is malformed", tamper(t, valid(), func(m map[string]any) { m["extra"] = "smuggled" }), "malformed"},
		{"a payload that is not an object is malformed", tamper(t, valid(), func(m map[string]any) { m["payload"] = []int{1} }), "malformed"},
		{"a created time in another layout is refused", tamper(t, valid(), func(m map[string]any) { m["created"] = now.Format(time.RFC3339) }), "bad_field"},
		{"an origin with a separator is refused", tamper(t, valid(), func(m map[string]any) { m["origin"] = "beta\nalpha" }), "bad_field"},
		{"a signature of the wrong size is refused", tamper(t, valid(), func(m map[string]any) { m["sig"] = "AAAA" }), "bad_field"},
		{"an unknown kind under a key that is not pinned is refused for the key", mustRaw(e.stranger, "k1", "comment.exploded", `{"a":1}`, now), "unknown_key"},
		{"a payload with an unknown member is refused", mustRaw(e.beta, "k2", federation.KindTombstone, `{"object":{"instance":"beta","id":"c1"},"type":"comment","also":"x"}`, now), "bad_payload"},
		{"a comment without a body is refused", MustSign(t, e.beta, federation.KindCommentCreated, noBody, now), "bad_payload"},
		{"an author name with an @ is refused", MustSign(t, e.beta, federation.KindCommentCreated, badName, now), "bad_payload"},
		{"an envelope claiming to come from us is refused", MustSign(t, federation.NewSigner("alpha", e.beta.Key()), federation.KindCommentCreated, comment("alpha", "c5"), now), "own_origin"},
		{"an unknown origin is refused", MustSign(t, federation.NewSigner("zeta", e.beta.Key()), federation.KindCommentCreated, comment("zeta", "c6"), now), "unknown_origin"},
		{"a paused peer's envelope is refused", MustSign(t, e.gamma, federation.KindCommentCreated, comment("gamma", "c7"), now), "peer_not_active"},
		{"a pending peer may not send comments", MustSign(t, e.delta, federation.KindCommentCreated, comment("delta", "c8"), now), "peer_not_active"},
		{"a key that is not pinned for the origin is refused", MustSign(t, e.stranger, federation.KindCommentCreated, comment("beta", "c9"), now), "unknown_key"},
		{"a revoked key is refused", MustSign(t, e.revoked, federation.KindCommentCreated, comment("beta", "c10"), now), "revoked_key"},
		{"a rotated key is refused after its overlap window", MustSign(t, e.rotated, federation.KindCommentCreated, comment("beta", "c11"), now), "key_not_valid"},
		{"another key's signature under the pinned key ID is refused", tamper(t, valid(), func(m map[string]any) {
			m["sig"] = federation.MustDecodeEnvelope(t, MustSign(t, e.stranger, federation.KindCommentCreated, comment("beta", "c1"), now)).Sig
		}), "bad_signature"},
		{"a changed body under the signature is refused", tamper(t, valid(), func(m map[string]any) {
			m["payload"].(map[string]any)["bodySource"] = "Buy pills"
		}), "bad_signature"},
		{"a changed created time under the signature is refused", tamper(t, valid(), func(m map[string]any) {
			m["created"] = now.Add(time.Second).Format(federation.CreatedLayout)
		}), "bad_signature"},
		{"a changed kind under the signature is refused", tamper(t, valid(), func(m map[string]any) { m["kind"] = federation.KindCommentEdited }), "bad_signature"},
		{"an envelope older than the window is expired", MustSign(t, e.beta, federation.KindCommentCreated, comment("beta", "c12"), now.Add(-federation.DefaultWindow-time.Second)), "expired"},
		{"an envelope from the future is refused", MustSign(t, e.beta, federation.KindCommentCreated, comment("beta", "c13"), now.Add(federation.DefaultSkew+time.Second)), "from_future"},
		{"speaking for a third instance's user is refused", MustSign(t, e.beta, federation.KindCommentCreated, thirdAuthor, now), "third_party_object"},
		{"speaking for our own comment is refused", MustSign(t, e.beta, federation.KindCommentEdited, ourComment, now), "third_party_object"},
		{"a tombstone for a third instance's comment is refused", MustSign(t, e.beta, federation.KindTombstone, federation.TombstonePayload{Object: federation.ObjectRef{Instance: "gamma", ID: "c1"}, Type: "comment"}, now), "third_party_object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.counts(t)["rejected/"+tc.reason]
			out, err := e.in.Receive(context.Background(), tc.wire, now)
			var rej *federation.Rejection
			if out != federation.Rejected || !errors.As(err, &rej) || rej.Reason != tc.reason {
				t.Fatalf("Receive = %s, %v; want rejected with reason %s", out, err, tc.reason)
			}
			if after := e.counts(t)["rejected/"+tc.reason]; after != before+1 {
				t.Fatalf("rejected/%s counted %v, then %v", tc.reason, before, after)
			}
		})
	}
	t.Run("none was applied", func(t *testing.T) {
		if len(e.applied) != 0 {
			t.Fatalf("applied %v", e.applied)
		}
	})
	t.Run("the peer's record counts the rejections", func(t *testing.T) {
		p, err := e.store.FindPeerByName(context.Background(), "beta")
		if err != nil || p.Rejected < 15 || p.LastError == "" {
			t.Fatalf("beta = %+v, %v", p, err)
		}
	})
}

func TestInboundAppliesOnce(t *testing.T) {
	e := MustInbound(t)
	ctx := context.Background()
	wire := MustSign(t, e.beta, federation.KindCommentCreated, comment("beta", "c1"), e.now)
	var outcomes []federation.Outcome
	for i := 0; i < 5; i++ {
		// Redeliveries come later; within the window they are still fresh.
		out, err := e.in.Receive(ctx, wire, e.now.Add(time.Duration(i)*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		outcomes = append(outcomes, out)
	}
	want := []federation.Outcome{federation.Applied, federation.Duplicate, federation.Duplicate, federation.Duplicate, federation.Duplicate}
	for i := range want {
		if outcomes[i] != want[i] {
			t.Fatalf("outcomes = %v; want %v", outcomes, want)
		}
	}
	if len(e.applied) != 1 {
		t.Fatalf("applied %v; want once", e.applied)
	}
	t.Run("a rotated key still in its overlap window is accepted", func(t *testing.T) {
		wire := MustSign(t, e.rotated, federation.KindCommentCreated, comment("beta", "c2"), e.now.Add(-2*time.Hour))
		if out, err := e.in.Receive(ctx, wire, e.now.Add(-2*time.Hour)); out != federation.Applied {
			t.Fatalf("Receive = %s, %v", out, err)
		}
	})
	t.Run("a failed apply is released and applied on redelivery", func(t *testing.T) {
		fail := true
		in := federation.NewInbound(&federation.Verifier{Self: "alpha", Peer: e.store.FindPeerByName}, e.store,
			federation.ApplierFunc(func(context.Context, *federation.Verified) error {
				if fail {
					return errors.New("database down")
				}
				return nil
			}), federation.InboundOptions{})
		wire := MustSign(t, e.beta, federation.KindCommentCreated, comment("beta", "c3"), e.now)
		if _, err := in.Receive(ctx, wire, e.now); err == nil {
			t.Fatal("a failed apply answered no error")
		}
		fail = false
		if out, err := in.Receive(ctx, wire, e.now); out != federation.Applied {
			t.Fatalf("redelivery = %s, %v", out, err)
		}
	})
	if got := e.counts(t); got["applied/"] != 2 || got["duplicate/"] != 4 {
		t.Fatalf("counts = %v", got)
	}
}

// The signature covers the canonical bytes, whatever white space the payload arrives with.
func TestEnvelopeCanonicalForm(t *testing.T) {
	_, priv := MustKey(t)
	s := federation.NewSigner("beta", priv)
	env, err := s.SignRaw("id1", federation.KindLink, []byte(`{ "peer" : "alpha",  "url":"https://b.example" }`), time.Date(2026, 12, 7, 8, 0, 0, 120e6, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	want := "parley-envelope/1\nid1\nbeta\npeer.link\n2026-12-07T08:00:00.120Z\n" + s.KeyID + "\n42\n" + `{"peer":"alpha","url":"https://b.example"}`
	if got := string(env.Canonical()); got != want {
		t.Fatalf("canonical =\n%q\nwant\n%q", got, want)
	}
	spaced := strings.Replace(string(env.Marshal()), `"peer":"alpha"`, "\"peer\" :\n \"alpha\"", 1)
	dec, err := federation.Decode([]byte(spaced), 0)
	if err != nil || !dec.VerifySignature(priv.Public().(ed25519.PublicKey)) {
		t.Fatalf("re-spaced envelope: %v, verifies=%v", err, err == nil && dec.VerifySignature(priv.Public().(ed25519.PublicKey)))
	}
}

func TestCircuitBreakerPausesAPeer(t *testing.T) {
	e := MustInbound(t)
	ctx := context.Background()
	paused := 0
	in := federation.NewInbound(&federation.Verifier{Self: "alpha", Peer: e.store.FindPeerByName}, e.store,
		federation.ApplierFunc(func(context.Context, *federation.Verified) error { return nil }),
		federation.InboundOptions{BreakerThreshold: 5, OnPause: func() { paused++ }})
	forged := func() []byte {
		return MustSign(t, e.stranger, federation.KindCommentCreated, comment("beta", "x"), e.now)
	}
	valid := func(id string) []byte {
		return MustSign(t, e.beta, federation.KindCommentCreated, comment("beta", id), e.now)
	}
	t.Run("an applied envelope resets the count", func(t *testing.T) {
		for i := 0; i < 4; i++ {
			_, _ = in.Receive(ctx, forged(), e.now)
		}
		if out, err := in.Receive(ctx, valid("v1"), e.now); out != federation.Applied {
			t.Fatal(out, err)
		}
		for i := 0; i < 4; i++ {
			_, _ = in.Receive(ctx, forged(), e.now)
		}
		if p, _ := e.store.FindPeerByName(ctx, "beta"); p.State != parley.PeerActive || paused != 0 {
			t.Fatalf("beta is %s after 4 invalid envelopes in a row", p.State)
		}
	})
	t.Run("envelopes of a key the peer revoked are refused and counted, but are no strike", func(t *testing.T) {
		before, _ := e.store.FindPeerByName(ctx, "beta")
		for i := range 10 {
			out, err := in.Receive(ctx, MustSign(t, e.revoked, federation.KindCommentCreated, comment("beta", "late"+strconv.Itoa(i)), e.now), e.now)
			if rej := (*federation.Rejection)(nil); out != federation.Rejected || !errors.As(err, &rej) || rej.Reason != "revoked_key" {
				t.Fatalf("Receive = %s, %v", out, err)
			}
		}
		after, _ := e.store.FindPeerByName(ctx, "beta")
		if after.State != parley.PeerActive || paused != 0 || after.Rejected != before.Rejected+10 {
			t.Fatalf("beta is %s, rejected %d then %d", after.State, before.Rejected, after.Rejected)
		}
	})
	t.Run("a newer peer's unknown kinds are ignored and count neither way", func(t *testing.T) {
		before, _ := e.store.FindPeerByName(ctx, "beta")
		for i := range 10 {
			env, err := e.beta.SignRaw("new"+strconv.Itoa(i), "poll.created", []byte(`{"question":"?"}`), e.now)
			if err != nil {
				t.Fatal(err)
			}
			if out, err := in.Receive(ctx, env.Marshal(), e.now); out != federation.Ignored || err != nil {
				t.Fatalf("Receive = %s, %v", out, err)
			}
		}
		after, _ := e.store.FindPeerByName(ctx, "beta")
		if after.State != parley.PeerActive || paused != 0 || after.Rejected != before.Rejected {
			t.Fatalf("beta is %s, rejected %d then %d", after.State, before.Rejected, after.Rejected)
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(in.Counter())
		counted := (&inboundEnv{reg: reg}).counts(t)
		if counted["ignored/unknown_kind"] != 10 || counted["rejected/unknown_kind"] != 0 {
			t.Fatalf("counted %v", counted)
		}
	})
	t.Run("the threshold in a row pauses the peer", func(t *testing.T) {
		_, _ = in.Receive(ctx, forged(), e.now)
		if p, _ := e.store.FindPeerByName(ctx, "beta"); p.State != parley.PeerPaused || paused != 1 {
			t.Fatalf("beta is %s, paused %d times", p.State, paused)
		}
		var rej *federation.Rejection
		if _, err := in.Receive(ctx, valid("v2"), e.now); !errors.As(err, &rej) || rej.Reason != "peer_not_active" {
			t.Fatalf("a paused peer's envelope: %v", err)
		}
	})
}

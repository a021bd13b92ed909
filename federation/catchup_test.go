package federation_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
)

func TestTransportCatchesUpAfterAnOutage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	store, _ := MustStore(t)
	alpha, peer := MustSigningPeer(t, store, "alpha", 10_000, 1<<20, 1000)
	var mu sync.Mutex
	count := map[string]int{}
	applied := make(chan string, 1000)
	in := federation.NewInbound(&federation.Verifier{Self: "beta", Peer: store.FindPeerByName}, store,
		federation.ApplierFunc(func(_ context.Context, v *federation.Verified) error {
			id := v.Payload.(*federation.CommentPayload).Comment.ID
			mu.Lock()
			count[id]++
			mu.Unlock()
			applied <- id
			return nil
		}), federation.InboundOptions{})
	alphaNATS, alphaAddr, alphaT := MustBus(t, "alpha", nil)
	betaNATS, _, betaT := MustBus(t, "beta", in)
	betaT.SetCatchUpInterval(100 * time.Millisecond)
	link := func(on bool) {
		t.Helper()
		if on {
			MustLeaf(t, "beta", betaNATS, "alpha", alphaNATS, alphaAddr, alphaT)
		} else if err := betaNATS.SetFederationPeers(nil); err != nil {
			t.Fatal(err)
		}
	}
	publish := func(id string) {
		t.Helper()
		e, err := alpha.Sign(federation.KindCommentCreated, comment("alpha", id), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := alphaT.Publish(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	await := func(ids ...string) {
		t.Helper()
		for len(ids) > 0 {
			select {
			case got := <-applied:
				ids = slices.DeleteFunc(ids, func(s string) bool { return s == got })
			case <-ctx.Done():
				t.Fatalf("never applied: %v", ids)
			}
		}
	}
	link(true)
	if err := betaT.Reconcile(ctx, []*parley.Peer{peer}); err != nil {
		t.Fatal(err)
	}
	publish("before")
	await("before")

	// The link goes down: what alpha publishes now stays in alpha's outbound stream.
	link(false)
	for len(betaNATS.ConnectedPeers()) > 0 {
		select {
		case <-ctx.Done():
			t.Fatal("the leaf connection did not go down")
		case <-time.After(20 * time.Millisecond):
		}
	}
	var missed []string
	for i := range 50 {
		missed = append(missed, "missed"+strconv.Itoa(i))
		publish(missed[i])
	}
	t.Run("what was published while the link was down arrives when it returns", func(t *testing.T) {
		link(true)
		await(missed...)
	})
	t.Run("nothing is applied twice", func(t *testing.T) {
		// Another pass over the whole outbound stream, and a live envelope after it.
		if _, err := betaT.CatchUp(ctx, "alpha"); err != nil {
			t.Fatal(err)
		}
		publish("after")
		await("after")
		mu.Lock()
		defer mu.Unlock()
		for id, n := range count {
			if n != 1 {
				t.Errorf("%s applied %d times", id, n)
			}
		}
		if len(count) != 52 {
			t.Errorf("applied %d envelopes, want 52", len(count))
		}
	})
	t.Run("the cursor stands at the end of alpha's stream", func(t *testing.T) {
		if _, err := betaT.CatchUp(ctx, "alpha"); err != nil {
			t.Fatal(err)
		}
		if n, err := betaT.Cursor(ctx, "alpha"); err != nil || n != 52 {
			t.Fatalf("cursor %d, %v", n, err)
		}
	})
}

// BenchmarkCatchUp measures a catch-up pass over 1,000 envelopes of alpha's outbound stream
// that beta already holds: read through the leaf connection with direct gets in batches,
// stored again under their message IDs and dropped by JetStream's deduplication. This is
// what the periodic pass costs a healthy link, per envelope.
func BenchmarkCatchUp(b *testing.B) {
	ctx := context.Background()
	store, _ := MustStore(b)
	alpha, peer := MustSigningPeer(b, store, "alpha", 100_000, 64<<20, 100_000)
	applied := make(chan struct{}, 2000)
	in := federation.NewInbound(&federation.Verifier{Self: "beta", Peer: store.FindPeerByName}, store,
		federation.ApplierFunc(func(context.Context, *federation.Verified) error { applied <- struct{}{}; return nil }), federation.InboundOptions{})
	alphaNATS, alphaAddr, alphaT := MustBus(b, "alpha", nil)
	betaNATS, _, betaT := MustBus(b, "beta", in)
	betaT.SetCatchUpInterval(time.Hour)
	MustLeaf(b, "beta", betaNATS, "alpha", alphaNATS, alphaAddr, alphaT)
	if err := betaT.Reconcile(ctx, []*parley.Peer{peer}); err != nil {
		b.Fatal(err)
	}
	const n = 1000
	for i := range n {
		e, err := alpha.Sign(federation.KindCommentCreated, comment("alpha", "c"+strconv.Itoa(i)), time.Now())
		if err != nil {
			b.Fatal(err)
		}
		if err := alphaT.Publish(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	for range n {
		<-applied
	}
	for b.Loop() {
		if err := betaT.ResetCursor(ctx, "alpha"); err != nil {
			b.Fatal(err)
		}
		stored, err := betaT.CatchUp(ctx, "alpha")
		if err != nil || stored != 0 {
			b.Fatalf("stored %d anew, %v", stored, err)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "envelopes/s")
}

// records keeps what a logger was told, and tells waiting of each record whose message it
// names.
type records struct {
	mu      sync.Mutex
	all     []slog.Record
	waiting string
	seen    chan struct{}
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	r.all = append(r.all, rec)
	r.mu.Unlock()
	if rec.Message == r.waiting {
		select {
		case r.seen <- struct{}{}:
		default:
		}
	}
	return nil
}
func (r *records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *records) WithGroup(string) slog.Handler      { return r }

// TestCatchUpWaitsQuietlyWhileTheInboundStreamIsFull fills beta's inbound stream of alpha
// (a backlog of 3) with 10 envelopes published at once: the stream refuses the rest, and
// catch-up, which reads them again from its cursor, finds it full pass after pass. That is
// the quota at work: it waits, says so at debug level, and logs no warning; its cursor
// stands after what was stored, so nothing stored is read again.
func TestCatchUpWaitsQuietlyWhileTheInboundStreamIsFull(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	store, _ := MustStore(t)
	alpha, peer := MustSigningPeer(t, store, "alpha", 1, 1<<20, 3)
	in := federation.NewInbound(&federation.Verifier{Self: "beta", Peer: store.FindPeerByName}, store,
		federation.ApplierFunc(func(context.Context, *federation.Verified) error { return nil }), federation.InboundOptions{})
	alphaNATS, alphaAddr, alphaT := MustBus(t, "alpha", nil)
	betaNATS, _, betaT := MustBus(t, "beta", in)
	const fullMsg = "federation: catch-up waits, the peer's inbound stream is full"
	logs := &records{waiting: fullMsg, seen: make(chan struct{}, 1)}
	betaT.SetLogger(slog.New(logs))
	betaT.SetRateUnit(time.Hour) // one envelope applied, the rest wait
	betaT.SetCatchUpInterval(10 * time.Millisecond)
	MustLeaf(t, "beta", betaNATS, "alpha", alphaNATS, alphaAddr, alphaT)
	for i := range 10 {
		e, err := alpha.Sign(federation.KindCommentCreated, comment("alpha", "c"+strconv.Itoa(i)), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := alphaT.Publish(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("a pass stops at the full stream with ErrInboundFull, its cursor after what was stored", func(t *testing.T) {
		// Beta's inbound stream of alpha is made only now, after alpha published: catch-up
		// alone fills it.
		if err := betaT.Reconcile(ctx, []*parley.Peer{peer}); err != nil {
			t.Fatal(err)
		}
		betaT.Close() // the periodic pass is tested below; this one alone now
		// The leaf connection may still be settling (a reload of the embedded servers):
		// a pass that fails for that is tried again.
		for {
			_, err := betaT.CatchUp(ctx, "alpha")
			if errors.Is(err, federation.ErrInboundFull) {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("CatchUp = %v", err)
			}
		}
		if n, err := betaT.Cursor(ctx, "alpha"); err != nil || n != 3 {
			t.Fatalf("cursor %d, %v", n, err)
		}
	})
	t.Run("the periodic pass waits at debug level, without warnings", func(t *testing.T) {
		if err := betaT.Reconcile(ctx, []*parley.Peer{peer}); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			select {
			case <-logs.seen:
			case <-ctx.Done():
				t.Fatal("catch-up never waited for the full stream")
			}
		}
		betaT.Close()
		logs.mu.Lock()
		defer logs.mu.Unlock()
		waiting := false
		for _, r := range logs.all {
			// From the first wait on: catch-up's messages are waits at debug level (the
			// consumer's own warnings, an apply cut short by Close, are not catch-up's).
			waiting = waiting || r.Message == fullMsg
			if waiting && r.Level >= slog.LevelWarn && strings.Contains(r.Message, "catch-up") {
				t.Errorf("%s: %s", r.Level, r.Message)
			}
			if r.Message == fullMsg && r.Level != slog.LevelDebug {
				t.Errorf("the wait is logged at %s", r.Level)
			}
		}
	})
}

// TestAFullInboundStreamTakesMoreOnceItsBacklogIsApplied fills beta's inbound stream of
// alpha (a backlog of 3) from a stream of 10: as beta applies them, what it applied leaves
// the stream, so catch-up stores the rest and all 10 are applied, rather than the stream
// staying full until its envelopes age out.
func TestAFullInboundStreamTakesMoreOnceItsBacklogIsApplied(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	store, _ := MustStore(t)
	alpha, peer := MustSigningPeer(t, store, "alpha", 1000, 1<<20, 3)
	applied := make(chan string, 100)
	in := federation.NewInbound(&federation.Verifier{Self: "beta", Peer: store.FindPeerByName}, store,
		federation.ApplierFunc(func(_ context.Context, v *federation.Verified) error {
			applied <- v.Payload.(*federation.CommentPayload).Comment.ID
			return nil
		}), federation.InboundOptions{})
	alphaNATS, alphaAddr, alphaT := MustBus(t, "alpha", nil)
	betaNATS, _, betaT := MustBus(t, "beta", in)
	betaT.SetCatchUpInterval(10 * time.Millisecond)
	MustLeaf(t, "beta", betaNATS, "alpha", alphaNATS, alphaAddr, alphaT)
	for i := range 10 {
		e, err := alpha.Sign(federation.KindCommentCreated, comment("alpha", "c"+strconv.Itoa(i)), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := alphaT.Publish(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := betaT.Reconcile(ctx, []*parley.Peer{peer}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for len(seen) < 10 {
		select {
		case id := <-applied:
			seen[id] = true
		case <-ctx.Done():
			t.Fatalf("applied %d of 10: %v", len(seen), seen)
		}
	}
}

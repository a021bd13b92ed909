package federation_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
)

// An envelope whose apply fails for the database is tried again with those after it, in
// the stream's order: nothing after it is applied before it, and nothing twice.
func TestTransportRetriesAFailedRunInOrder(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, _ := MustStore(t)
	alpha, peer := MustSigningPeer(t, store, "alpha", 1_000_000, 1<<20, 1000)
	var mu sync.Mutex
	var applied []string
	failed := false
	arrived := make(chan string, 100)
	in := federation.NewInbound(&federation.Verifier{Self: "beta", Peer: store.FindPeerByName}, store,
		federation.ApplierFunc(func(_ context.Context, v *federation.Verified) error {
			id := v.Payload.(*federation.CommentPayload).Comment.ID
			mu.Lock()
			defer mu.Unlock()
			if id == "c4" && !failed {
				failed = true
				return errors.New("database down")
			}
			applied = append(applied, id)
			arrived <- id
			return nil
		}), federation.InboundOptions{})
	alphaNATS, alphaAddr, alphaT := MustBus(t, "alpha", nil)
	betaNATS, _, betaT := MustBus(t, "beta", in)
	MustLeaf(t, "beta", betaNATS, "alpha", alphaNATS, alphaAddr, alphaT)
	if err := betaT.Reconcile(ctx, []*parley.Peer{peer}); err != nil {
		t.Fatal(err)
	}
	send := func(id string) {
		e, err := alpha.Sign(federation.KindCommentCreated, comment("alpha", id), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := alphaT.Publish(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	// Until the leaf connection carries one, envelopes are sent one at a time.
	for warm := 0; ; warm++ {
		send(fmt.Sprintf("w%d", warm))
		select {
		case <-arrived:
		case <-time.After(100 * time.Millisecond):
			if ctx.Err() != nil {
				t.Fatal("nothing crossed the leaf connection")
			}
			continue
		}
		break
	}
	var want []string
	for i := 1; i <= 10; i++ {
		want = append(want, fmt.Sprintf("c%d", i))
		send(want[i-1])
	}
	for got := 0; got < len(want); {
		select {
		case id := <-arrived:
			if id[0] == 'c' {
				got++
			}
		case <-ctx.Done():
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("applied %v", applied)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	var got []string
	for _, id := range applied {
		if id[0] == 'c' {
			got = append(got, id)
		}
	}
	if !failed || !slices.Equal(got, want) {
		t.Fatalf("applied %v (the failure happened: %v); want %v", got, failed, want)
	}
}

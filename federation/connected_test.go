package federation_test

import (
	"context"
	"errors"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
)

// TestPeersShowTheirConnection: an active peer shows whether its leaf connection is up; a
// peer that is not active, or any when the connections cannot be known, shows nothing.
func TestPeersShowTheirConnection(t *testing.T) {
	e := MustInbound(t) // beta active, gamma paused, delta pending
	ctx := parley.NewContextWithUser(context.Background(), &parley.User{Username: "admin", Admin: true})
	id := MustIdentity(t, e.store, "alpha", "", nil)
	connected := func(up []string, err error) map[string]*bool {
		t.Helper()
		svc := federation.NewService(id, e.store, federation.ServiceOptions{
			Connected: func(context.Context) ([]string, error) { return up, err }})
		peers, err := svc.Peers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]*bool{}
		for _, p := range peers {
			got[p.Name] = p.Connected
		}
		return got
	}
	t.Run("an active peer is connected or not; the others are not said", func(t *testing.T) {
		got := connected([]string{"beta", "gamma"}, nil)
		if got["beta"] == nil || !*got["beta"] || got["gamma"] != nil || got["delta"] != nil {
			t.Fatalf("connected: beta %v, gamma %v, delta %v", got["beta"], got["gamma"], got["delta"])
		}
		if got := connected(nil, nil); got["beta"] == nil || *got["beta"] {
			t.Fatalf("beta with no connection up: %v", got["beta"])
		}
	})
	t.Run("connections that cannot be known are not said", func(t *testing.T) {
		if got := connected(nil, errors.New("no monitoring endpoint")); got["beta"] != nil {
			t.Fatalf("beta: %v", *got["beta"])
		}
	})
}

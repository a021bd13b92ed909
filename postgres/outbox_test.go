package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
)

// TestOutboxDrain is not parallel: it drains the whole shared outbox.
func TestOutboxDrain(t *testing.T) {
	e := MustEnv(t)
	out := postgres.NewOutboxStore(e.db)
	ctx := context.Background()
	_, story := e.MustStory(t)
	author, _ := e.MustUser(t)
	for range 30 {
		e.MustComment(t, author, story.ID, "", "an event")
	}
	pending, oldest, err := out.Backlog(ctx)
	if err != nil || pending < 30 || oldest.IsZero() {
		t.Fatalf("backlog = %d, %v, %v", pending, oldest, err)
	}

	t.Run("events publish refuses stay pending", func(t *testing.T) {
		n, err := out.Drain(ctx, 5, func(_ context.Context, evs []parley.OutboxEvent) ([]string, error) {
			return []string{evs[0].ID}, errors.New("bus down after the first")
		})
		if n != 1 || err == nil {
			t.Fatalf("drain = %d, %v; want 1 and the publish error", n, err)
		}
		after, _, _ := out.Backlog(ctx)
		if after != pending-1 {
			t.Fatalf("backlog %d -> %d, want one fewer", pending, after)
		}
	})
	t.Run("concurrent relays publish each event once", func(t *testing.T) {
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					n, err := out.Drain(ctx, 4, func(_ context.Context, evs []parley.OutboxEvent) ([]string, error) {
						ids := make([]string, len(evs))
						mu.Lock()
						for i, ev := range evs {
							seen[ev.ID]++
							ids[i] = ev.ID
						}
						mu.Unlock()
						time.Sleep(time.Millisecond) // hold the locks while another relay tries
						return ids, nil
					})
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		for id, n := range seen {
			if n != 1 {
				t.Errorf("event %s published %d times", id, n)
			}
		}
		if left, _, _ := out.Backlog(ctx); left != 0 {
			t.Fatalf("%d events left pending", left)
		}
	})
	t.Run("prune forgets published events", func(t *testing.T) {
		n, err := out.Prune(ctx, time.Now().Add(time.Minute))
		if err != nil || n < 30 {
			t.Fatalf("pruned %d, %v", n, err)
		}
	})
}

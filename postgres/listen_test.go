package postgres_test

import (
	"context"
	"testing"
	"time"
)

// TestListenOutbox is not parallel: other tests' comments would wake it too.
func TestListenOutbox(t *testing.T) {
	e := MustEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	woken := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.db.ListenOutbox(ctx, func() {
			select {
			case woken <- struct{}{}:
			default:
			}
		})
	}()
	t.Cleanup(func() { cancel(); <-done })
	mustWake := func(t *testing.T, what string) {
		t.Helper()
		select {
		case <-woken:
		case <-time.After(30 * time.Second):
			t.Fatalf("no wake after %s", what)
		}
	}
	mustWake(t, "connecting") // the listener wakes the relay once it listens
	_, story := e.MustStory(t)
	author, _ := e.MustUser(t)

	t.Run("a committed event wakes the listener", func(t *testing.T) {
		e.MustComment(t, author, story.ID, "", "wakes every relay")
		mustWake(t, "a comment committed")
	})
	t.Run("a lost connection is listened again", func(t *testing.T) {
		n := e.count(t, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND query = 'LISTEN parley_outbox'`)
		if n != 1 {
			t.Fatalf("terminated %d listening sessions, want 1", n)
		}
		mustWake(t, "reconnecting") // events sent while it was away are looked for at once
		e.MustComment(t, author, story.ID, "", "wakes the new session")
		mustWake(t, "a comment committed after the reconnection")
	})
}

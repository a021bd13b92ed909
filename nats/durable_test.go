package nats_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/nats"
)

// recorder is a handler that remembers the events it applied, fails the first delivery of
// the event named in failOnce, and reports each event on seen.
type recorder struct {
	mu       sync.Mutex
	ids      []string
	failOnce string
	seen     chan string
}

func (r *recorder) handle(_ context.Context, e parley.OutboxEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.ID == r.failOnce {
		r.failOnce = ""
		return errors.New("database away")
	}
	r.ids = append(r.ids, e.ID)
	r.seen <- e.ID
	return nil
}

func TestRunDurable(t *testing.T) {
	srv := MustEmbedded(t, "", "")
	js := MustJetStream(t, srv)
	MustStream(t, js)
	instance := MustInstance(t)
	var events []parley.OutboxEvent
	for range 3 {
		events = append(events, parley.OutboxEvent{ID: newUUID(t), Kind: parley.EventUserCreated,
			Payload: []byte(`{"v":1,"id":"u","username":"u"}`), CreatedAt: time.Now()})
	}
	for _, ev := range events {
		MustPublishRaw(t, js, instance, ev)
	}
	run := func(r *recorder) (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- nats.RunDurable(ctx, js, nats.DurableOptions{Name: "test-" + instance, Instance: instance, Retry: time.Millisecond}, r.handle)
		}()
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
	}
	r := &recorder{failOnce: events[1].ID, seen: make(chan string, 10)}
	stop := run(r)
	for i := range events {
		if got := await(t, r.seen); got != events[i].ID {
			t.Fatalf("event %d = %s, want %s: a failed event must come again before the next", i, got, events[i].ID)
		}
	}
	stop()

	t.Run("a restart resumes after the acknowledged events", func(t *testing.T) {
		later := parley.OutboxEvent{ID: newUUID(t), Kind: parley.EventUserCreated, Payload: []byte(`{"v":1,"id":"u","username":"u"}`), CreatedAt: time.Now()}
		MustPublishRaw(t, js, instance, later)
		r2 := &recorder{seen: make(chan string, 10)}
		stop := run(r2)
		defer stop()
		if got := await(t, r2.seen); got != later.ID {
			t.Fatalf("first event after restart = %s, want the new one %s", got, later.ID)
		}
	})
	t.Run("an event applied while shutdown begins is still acknowledged", func(t *testing.T) {
		// The handler finishes only after the consumer was told to stop: its ack must still
		// reach the stream, or the next consumer waits out AckWait before anything flows.
		last := parley.OutboxEvent{ID: newUUID(t), Kind: parley.EventUserCreated, Payload: []byte(`{"v":1,"id":"u","username":"u"}`), CreatedAt: time.Now()}
		MustPublishRaw(t, js, instance, last)
		ctx, cancel := context.WithCancel(context.Background())
		applied := make(chan string, 1)
		done := make(chan error, 1)
		go func() {
			done <- nats.RunDurable(ctx, js, nats.DurableOptions{Name: "test-" + instance, Instance: instance, Retry: time.Millisecond},
				func(hctx context.Context, e parley.OutboxEvent) error {
					applied <- e.ID
					<-hctx.Done()
					return nil
				})
		}()
		if got := await(t, applied); got != last.ID {
			t.Fatalf("event = %s, want %s", got, last.ID)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		next := parley.OutboxEvent{ID: newUUID(t), Kind: parley.EventUserCreated, Payload: []byte(`{"v":1,"id":"u","username":"u"}`), CreatedAt: time.Now()}
		MustPublishRaw(t, js, instance, next)
		r3 := &recorder{seen: make(chan string, 10)}
		stop := run(r3)
		defer stop()
		select {
		case got := <-r3.seen:
			if got != next.ID {
				t.Fatalf("first event after restart = %s, want %s: the event applied during shutdown came again", got, next.ID)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("nothing delivered after restart: the event applied during shutdown was never acknowledged")
		}
	})
}

// newUUID returns a fresh event ID.
func newUUID(tb testing.TB) string {
	tb.Helper()
	return uuid.NewString()
}

// await returns the next event ID a handler saw; the bound only keeps a broken consumer from
// hanging the run.
func await(tb testing.TB, seen <-chan string) string {
	tb.Helper()
	select {
	case id := <-seen:
		return id
	case <-time.After(30 * time.Second):
		tb.Fatal("no event delivered")
		return ""
	}
}

func TestRunDurableBatch(t *testing.T) {
	srv := MustEmbedded(t, "", "")
	js := MustJetStream(t, srv)
	MustStream(t, js)
	instance := MustInstance(t)
	const n, max = 50, 20
	var want []string
	for range n {
		ev := parley.OutboxEvent{ID: newUUID(t), Kind: parley.EventUserCreated, Payload: []byte(`{"v":1,"id":"u","username":"u"}`), CreatedAt: time.Now()}
		MustPublishRaw(t, js, instance, ev)
		want = append(want, ev.ID)
	}
	var mu sync.Mutex
	var got []string
	var runs []int
	failed := false
	all := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- nats.RunDurableBatch(ctx, js, nats.DurableOptions{Name: "test-" + instance, Instance: instance, Retry: time.Millisecond}, max,
			func(_ context.Context, es []parley.OutboxEvent) error {
				mu.Lock()
				defer mu.Unlock()
				runs = append(runs, len(es))
				if !failed {
					failed = true
					return errors.New("database away")
				}
				for _, e := range es {
					got = append(got, e.ID)
				}
				if len(got) == n {
					close(all)
				}
				return nil
			})
	}()
	select {
	case <-all:
	case <-time.After(30 * time.Second):
		t.Fatal("not every event was applied")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("runs: %v", runs)
	t.Run("every event is applied once, in order, in runs of at most max", func(t *testing.T) {
		if !slices.Equal(got, want) {
			t.Fatalf("applied %d events out of order or repeated:\n got %v\nwant %v", len(got), got, want)
		}
		for _, r := range runs {
			if r < 1 || r > max {
				t.Fatalf("a run of %d events; want 1 to %d", r, max)
			}
		}
	})
}

// TestRunDurableBatchLingers: events published one by one to an idle batch consumer with a
// linger come as one run, not one run each.
func TestRunDurableBatchLingers(t *testing.T) {
	srv := MustEmbedded(t, "", "")
	js := MustJetStream(t, srv)
	MustStream(t, js)
	instance := MustInstance(t)
	const n = 10
	runs := make(chan int, n)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- nats.RunDurableBatch(ctx, js, nats.DurableOptions{Name: "linger-" + instance, Instance: instance, Linger: time.Minute}, n,
			func(_ context.Context, es []parley.OutboxEvent) error {
				runs <- len(es)
				return nil
			})
	}()
	// The consumer is idle and waiting before the flow starts; then an event every few
	// milliseconds, each of which it would take alone without the linger.
	for {
		if _, err := js.Consumer(ctx, nats.DefaultStreamName, "linger-"+instance); err == nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	for range n {
		MustPublishRaw(t, js, instance, parley.OutboxEvent{ID: newUUID(t), Kind: parley.EventUserCreated, Payload: []byte(`{"v":1,"id":"u","username":"u"}`), CreatedAt: time.Now()})
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case got := <-runs:
		if got != n {
			t.Fatalf("the first run held %d events; want all %d, gathered within the linger", got, n)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no run")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

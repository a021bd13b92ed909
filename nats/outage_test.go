package nats_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/nats"
)

// TestRelaySurvivesNATSOutage stops the embedded server while the relay is draining a
// backlog, keeps writing through the services (which must not need NATS), starts a new
// server on the same store and checks that every event ends up in the stream exactly once.
func TestRelaySurvivesNATSOutage(t *testing.T) {
	e := MustEnv(t)
	instance := MustInstance(t)
	dir := t.TempDir()
	logger, logs := NewTestLogger()

	// cur is the server cmd/parley would dial; nil while NATS is down.
	var cur atomic.Pointer[nats.Embedded]
	first := MustEmbedded(t, dir, "")
	cur.Store(first)
	MustStream(t, MustJetStream(t, first))

	author, _ := e.MustUser(t)
	_, story := e.MustStory(t)
	e.MustInsertEvents(t, 20000)
	want := map[string]bool{}
	for _, ev := range e.Pending(t) {
		want[ev.ID] = true
	}
	before := len(want) // the backlog, and the user, site and story events

	r := MustRelay(t, nil, nats.RelayOptions{Instance: instance, Logger: logger,
		MaxBackoff: 300 * time.Millisecond, Connect: connectTo(&cur)})
	MustRun(t, r)
	Eventually(t, 30*time.Second, "some events published", func() bool { return r.Stats().Published >= 1000 })

	cur.Store(nil)
	first.Shutdown()
	t.Logf("server stopped after %d events were published", r.Stats().Published)

	// The request path keeps working while NATS is down.
	var written []*parley.Comment
	for range 10 {
		written = append(written, e.MustComment(t, author, story.ID, "written during the outage"))
	}
	e.MustInsertEvents(t, 500)
	Eventually(t, 10*time.Second, "the relay noticed the outage", func() bool { return !r.Stats().OutageSince.IsZero() })
	Eventually(t, 10*time.Second, "several attempts", func() bool { return r.Stats().Failures >= 3 })
	// Nothing can be marked now: what is pending is what the new server must receive,
	// including any batch that was in flight when the server stopped.
	pending := e.Pending(t)
	for _, ev := range pending {
		want[ev.ID] = true
	}
	if len(want) != before+500+len(written) {
		t.Fatalf("%d distinct events written, want %d", len(want), before+500+len(written))
	}
	if n := e.Backlog(t); n < 510 {
		t.Fatalf("backlog %d during the outage", n)
	}

	second := MustEmbedded(t, dir, "")
	cur.Store(second)
	js := MustJetStream(t, second)
	all := make([]string, 0, len(want))
	for id := range want {
		all = append(all, id)
	}
	msgs := MustCollect(t, js, len(all), 60*time.Second)
	MustOnce(t, msgs, all)
	MustDrained(t, e, len(all), r)
	Eventually(t, 5*time.Second, "recovery logged", func() bool { return logs.Count("events are being published again") > 0 })
	if n := logs.Count("events are being published again"); n != 1 {
		t.Errorf("%d recovery lines for one outage:\n%s", n, logs)
	}

	st := r.Stats()
	t.Logf("stats after recovery: %+v", st)
	if n := logs.Count("events cannot be published"); n != 1 {
		t.Errorf("%d outage lines for one outage of %d failures:\n%s", n, st.Failures, logs)
	}
	if !st.OutageSince.IsZero() || st.Backoff != 0 {
		t.Errorf("still in an outage after recovery: %+v", st)
	}
	if st.Published != uint64(len(all)) {
		t.Errorf("marked %d events published, want %d", st.Published, len(all))
	}
}

// TestRelayRepublishIsDropped covers a relay that died after the stream stored its batch but
// before the outbox marked it: the events are published again, after a server restart too,
// and the stream's duplicate window drops them.
func TestRelayRepublishIsDropped(t *testing.T) {
	e := MustEnv(t)
	instance := MustInstance(t)
	dir := t.TempDir()
	first := MustEmbedded(t, dir, "")
	js := MustJetStream(t, first)
	MustStream(t, js)
	e.MustInsertEvents(t, 100)
	events := e.Pending(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, ev := range events {
		if _, err := js.PublishMsg(ctx, relayMessage(t, instance, ev), jetstream.WithMsgID(ev.ID)); err != nil {
			t.Fatal(err)
		}
	}
	first.Shutdown()

	second := MustEmbedded(t, dir, "")
	js = MustJetStream(t, second)
	r := MustRelay(t, js, nats.RelayOptions{Instance: instance})
	MustRun(t, r)
	MustDrained(t, e, len(events), r)
	MustOnce(t, MustCollect(t, js, len(events), 10*time.Second), ids(events))
	if st := r.Stats(); st.Sent != uint64(len(events)) || st.Duplicates != uint64(len(events)) || st.Published != uint64(len(events)) {
		t.Fatalf("stats = %+v, want %d sent, all duplicates, all marked", st, len(events))
	}
}

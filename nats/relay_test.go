package nats_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/nats"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

func TestNewRelayRefuses(t *testing.T) {
	js := MustJetStream(t, MustEmbedded(t, "", ""))
	for _, tt := range []struct {
		name string
		js   jetstream.JetStream
		o    nats.RelayOptions
	}{
		{"an invalid instance", js, nats.RelayOptions{Instance: "Bad.Name"}},
		{"a missing instance", js, nats.RelayOptions{}},
		{"neither a handle nor a way to connect", nil, nats.RelayOptions{Instance: "a"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := nats.NewRelay(shared.outbox, tt.js, tt.o); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestRelayPublishesServiceEvents(t *testing.T) {
	e := MustEnv(t)
	instance := MustInstance(t)
	js := MustJetStream(t, MustEmbedded(t, "", ""))
	MustStream(t, js)

	author, _ := e.MustUser(t)
	_, story := e.MustStory(t)
	e.MustComment(t, author, story.ID, "first")
	e.MustComment(t, author, story.ID, "second")
	want := e.Pending(t)
	kinds := map[string]int{}
	for _, ev := range want {
		kinds[ev.Kind]++
	}
	if kinds[parley.EventUserCreated] != 1 || kinds[parley.EventSiteCreated] != 1 ||
		kinds[parley.EventStoryCreated] != 1 || kinds[parley.EventCommentCreated] != 2 {
		t.Fatalf("the services wrote %v", kinds)
	}

	r := MustRelay(t, js, nats.RelayOptions{Instance: instance})
	MustRun(t, r)
	msgs := MustCollect(t, js, len(want), 10*time.Second)
	MustOnce(t, msgs, ids(want))

	byID := map[string]jetstream.Msg{}
	for _, m := range msgs {
		byID[m.Headers().Get(jetstream.MsgIDHeader)] = m
	}
	for _, ev := range want {
		m := byID[ev.ID]
		t.Run(ev.Kind+" arrives with its subject, headers and envelope", func(t *testing.T) {
			site, story := ev.SiteID, ev.StoryID
			if site == "" {
				site = "-"
			}
			if story == "" {
				story = "-"
			}
			if want := "parley." + instance + "." + ev.Kind + "." + site + "." + story; m.Subject() != want {
				t.Errorf("subject = %q, want %q", m.Subject(), want)
			}
			if h := m.Headers(); h.Get("Parley-Event-Kind") != ev.Kind || h.Get("Content-Type") != "application/json" {
				t.Errorf("headers = %v", h)
			}
			var env map[string]json.RawMessage
			if err := json.Unmarshal(m.Data(), &env); err != nil {
				t.Fatal(err)
			}
			got, err := nats.DecodeEnvelope(m.Data())
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != ev.ID || got.Kind != ev.Kind || got.SiteID != ev.SiteID || got.StoryID != ev.StoryID ||
				!got.CreatedAt.Equal(ev.CreatedAt) || !jsonEqual(t, got.Payload, ev.Payload) || len(env) != 6 {
				t.Errorf("envelope = %s, want the event %+v", m.Data(), ev)
			}
		})
	}

	MustDrained(t, e, len(want), r)
	st := r.Stats()
	if st.Published != uint64(len(want)) || st.Sent != uint64(len(want)) || st.Duplicates != 0 || st.Failures != 0 {
		t.Fatalf("stats = %+v, want %d published and sent", st, len(want))
	}

	t.Run("a later event follows within the idle interval", func(t *testing.T) {
		e.MustComment(t, author, story.ID, "third")
		msgs := MustCollect(t, js, len(want)+1, 5*time.Second)
		last := msgs[len(msgs)-1]
		if last.Headers().Get("Parley-Event-Kind") != parley.EventCommentCreated {
			t.Fatalf("last message is %s", last.Subject())
		}
	})
}

func TestTwoRelaysPublishEachEventOnce(t *testing.T) {
	e := MustEnv(t)
	instance := MustInstance(t)
	srv := MustEmbedded(t, "", "")
	js := MustJetStream(t, srv)
	MustStream(t, js)

	author, _ := e.MustUser(t)
	_, story := e.MustStory(t)
	for range 20 {
		e.MustComment(t, author, story.ID, "busy")
	}
	e.MustInsertEvents(t, 3000)
	want := e.Pending(t)

	// Each relay has its own connection, as two replicas would; small batches make them
	// contend for rows.
	a := MustRelay(t, MustJetStream(t, srv), nats.RelayOptions{Instance: instance, BatchSize: 16})
	b := MustRelay(t, MustJetStream(t, srv), nats.RelayOptions{Instance: instance, BatchSize: 16})
	MustRun(t, a)
	MustRun(t, b)

	msgs := MustCollect(t, js, len(want), 30*time.Second)
	MustOnce(t, msgs, ids(want))
	MustDrained(t, e, len(want), a, b)
	sa, sb := a.Stats(), b.Stats()
	t.Logf("relay a published %d in %d batches, relay b %d in %d", sa.Published, sa.Batches, sb.Published, sb.Batches)
	if sa.Sent+sb.Sent != uint64(len(want)) || sa.Duplicates+sb.Duplicates != 0 {
		t.Fatalf("sent %d+%d with %d+%d duplicates for %d events: an event was published twice",
			sa.Sent, sb.Sent, sa.Duplicates, sb.Duplicates, len(want))
	}
	if sa.Published+sb.Published != uint64(len(want)) {
		t.Fatalf("published %d+%d, want %d", sa.Published, sb.Published, len(want))
	}
	if sa.Published == 0 || sb.Published == 0 {
		t.Fatalf("one relay did all the work (%d, %d): the test did not exercise contention", sa.Published, sb.Published)
	}
}

func TestRelayBacksOffUntilStreamExists(t *testing.T) {
	e := MustEnv(t)
	instance := MustInstance(t)
	js := MustJetStream(t, MustEmbedded(t, "", ""))
	logger, logs := NewTestLogger()

	author, _ := e.MustUser(t)
	_, story := e.MustStory(t)
	for range 5 {
		e.MustComment(t, author, story.ID, "waiting")
	}
	want := e.Pending(t)

	r := MustRelay(t, js, nats.RelayOptions{Instance: instance, Logger: logger, MaxBackoff: 400 * time.Millisecond, AckTimeout: 2 * time.Second})
	MustRun(t, r)
	Eventually(t, 15*time.Second, "three failed attempts", func() bool { return r.Stats().Failures >= 3 })
	st := r.Stats()
	if st.LastError == "" || st.Backoff <= 0 || st.OutageSince.IsZero() || st.Published != 0 {
		t.Fatalf("stats during the outage = %+v", st)
	}
	if st.Sent == 0 {
		t.Fatalf("no publish was attempted: %+v", st)
	}
	if n := e.Backlog(t); n != len(want) {
		t.Fatalf("backlog %d during the outage, want %d: un-acked events were marked", n, len(want))
	}
	if n := logs.Count("events cannot be published"); n != 1 {
		t.Fatalf("%d outage lines, want one per outage:\n%s", n, logs)
	}

	MustStream(t, js)
	msgs := MustCollect(t, js, len(want), 10*time.Second)
	MustOnce(t, msgs, ids(want))
	MustDrained(t, e, len(want), r)
	Eventually(t, 5*time.Second, "recovery logged", func() bool { return logs.Count("events are being published again") == 1 })
	if st := r.Stats(); !st.OutageSince.IsZero() || st.Backoff != 0 || st.Published != uint64(len(want)) {
		t.Fatalf("stats after recovery = %+v", st)
	}
}

func TestRelayPrunesPublishedEvents(t *testing.T) {
	e := MustEnv(t)
	js := MustJetStream(t, MustEmbedded(t, "", ""))
	MustStream(t, js)
	e.MustInsertEvents(t, 10)
	r := MustRelay(t, js, nats.RelayOptions{Instance: MustInstance(t), Retention: time.Nanosecond, PruneInterval: 10 * time.Millisecond})
	MustRun(t, r)
	MustCollect(t, js, 10, 10*time.Second)
	Eventually(t, 10*time.Second, "published events pruned", func() bool {
		var rows int
		if err := postgrestest.Pool(t, e.db).QueryRow(context.Background(), `SELECT count(*) FROM outbox`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		return rows == 0
	})
	// The first prune may have taken earlier tests' rows; ours follow within an interval.
	Eventually(t, 5*time.Second, "prunes counted", func() bool { return r.Stats().Pruned >= 10 })
}

func TestRelayRunsOnceAtATime(t *testing.T) {
	e := MustEnv(t)
	js := MustJetStream(t, MustEmbedded(t, "", ""))
	MustStream(t, js)
	r := MustRelay(t, js, nats.RelayOptions{Instance: MustInstance(t)})
	MustRun(t, r)
	e.MustInsertEvents(t, 1)
	MustCollect(t, js, 1, 10*time.Second) // the first Run is under way
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.Run(ctx); err == nil {
		t.Fatal("a second Run of the same relay started")
	}
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(tb testing.TB, a, b json.RawMessage) bool {
	tb.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		tb.Fatal(err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

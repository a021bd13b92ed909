package nats_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/nats"
)

// MustFeed returns a feed on its own in-process connection to srv.
func MustFeed(tb testing.TB, srv *nats.Embedded, instance string) *nats.Feed {
	tb.Helper()
	nc, err := srv.Connect()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	return nats.NewFeed(func() *natsgo.Conn { return nc }, instance, nil)
}

// MustPublishRaw publishes an event on the stream as a relay would, its payload as given:
// what a newer replica (or a broken writer) could put there.
func MustPublishRaw(tb testing.TB, js jetstream.JetStream, instance string, ev parley.OutboxEvent) {
	tb.Helper()
	body, err := json.Marshal(nats.NewEnvelope(ev))
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := js.Publish(ctx, nats.Subject(instance, ev), body, jetstream.WithMsgID(ev.ID)); err != nil {
		tb.Fatal(err)
	}
}

// MustReceive waits for the next event of ch.
func MustReceive(tb testing.TB, ch <-chan parley.Event) parley.Event {
	tb.Helper()
	select {
	case e, ok := <-ch:
		if !ok {
			tb.Fatal("the subscription ended")
		}
		return e
	case <-time.After(10 * time.Second):
		tb.Fatal("no event within 10s")
	}
	return parley.Event{}
}

func TestFeedSkipsEventsItCannotRead(t *testing.T) {
	e := MustEnv(t)
	instance := MustInstance(t)
	srv := MustEmbedded(t, "", "")
	js := MustJetStream(t, srv)
	MustStream(t, js)
	MustRun(t, MustRelay(t, js, nats.RelayOptions{Instance: instance}))
	feed := MustFeed(t, srv, instance)
	author, _ := e.MustUser(t)
	site, story := e.MustStory(t)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	storyEvents, err := feed.StoryEvents(ctx, story.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The page cache's subscription: every event of the instance.
	allEvents, err := feed.AllEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}

	at := time.Now()
	for i, ev := range []parley.OutboxEvent{
		{Kind: "comment.translated", Payload: json.RawMessage(`{"v":1,"id":"c1","language":"fr"}`)},
		{Kind: parley.EventCommentCreated, Payload: json.RawMessage(`{"v":99,"comment":{"id":"c1"}}`)},
		{Kind: parley.EventCommentCreated, Payload: json.RawMessage(`{"v":1,"id":42}`)},
	} {
		ev.ID = "0190a7e0-0000-7000-8000-00000000000" + string(rune('1'+i))
		ev.SiteID, ev.StoryID, ev.CreatedAt = site.ID, story.ID, at
		MustPublishRaw(t, js, instance, ev)
	}
	c := e.MustComment(t, author, story.ID, "after the unreadable ones")

	for name, ch := range map[string]<-chan parley.Event{"the story's subscriber": storyEvents, "the page cache": allEvents} {
		t.Run(name+" skips them and gets the next event", func(t *testing.T) {
			var got parley.Event
			for got.Kind() != parley.EventCommentCreated {
				got = MustReceive(t, ch) // the page cache hears of the user, site and story too
			}
			p, ok := got.Payload.(parley.CommentCreated)
			if !ok || p.ID != c.ID || p.BodySource != "after the unreadable ones" || got.StoryID != story.ID {
				t.Fatalf("got %+v", got)
			}
		})
	}
	t.Run("each skip is counted by each subscription", func(t *testing.T) {
		if st := feed.Stats(); st.Skipped != 4 || st.Undecodable != 2 {
			t.Fatalf("stats = %+v, want 2 unknown and 1 malformed events, each seen by 2 subscriptions", st)
		}
	})
}

func TestFeedPassesOnARepublishedEventOnce(t *testing.T) {
	e := MustEnv(t)
	instance := MustInstance(t)
	srv := MustEmbedded(t, "", "")
	js := MustJetStream(t, srv)
	MustStream(t, js)
	MustRun(t, MustRelay(t, js, nats.RelayOptions{Instance: instance}))
	feed := MustFeed(t, srv, instance)
	author, _ := e.MustUser(t)
	_, story := e.MustStory(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := feed.StoryEvents(ctx, story.ID)
	if err != nil {
		t.Fatal(err)
	}
	// A raw subscriber keeps the message the relay published, to publish it again as a
	// relay that died before marking its batch would.
	nc, err := srv.Connect()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	raw, err := nc.SubscribeSync(nats.SubjectPrefix + "." + instance + ".comment.created.*." + story.ID)
	if err != nil {
		t.Fatal(err)
	}
	first := e.MustComment(t, author, story.ID, "published twice")
	m, err := raw.NextMsg(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.PublishMsg(&natsgo.Msg{Subject: m.Subject, Header: m.Header, Data: m.Data}); err != nil {
		t.Fatal(err)
	}
	second := e.MustComment(t, author, story.ID, "published once")
	t.Run("the subscriber hears each event once, in order", func(t *testing.T) {
		for _, want := range []string{first.ID, second.ID} {
			got := MustReceive(t, events)
			for got.Kind() != parley.EventCommentCreated {
				got = MustReceive(t, events) // the story's own creation came first
			}
			if p, ok := got.Payload.(parley.CommentCreated); !ok || p.ID != want {
				t.Fatalf("got %+v, want comment %s", got, want)
			}
		}
	})
}

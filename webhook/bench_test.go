package webhook_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/webhook"
)

// benchEvent returns a comment.created event of the site with a fresh ID and a real payload.
func benchEvent(tb testing.TB, siteID, storyID string) parley.OutboxEvent {
	tb.Helper()
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	id := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
	p, err := parley.EncodeEvent(parley.CommentCreated{CommentSnapshot: parley.CommentSnapshot{ID: id, SiteID: siteID, StoryID: storyID,
		Status: parley.StatusPublished, Body: "<p>A comment of a typical length, with a few words in it.</p>", BodySource: "A comment of a typical length, with a few words in it."}})
	if err != nil {
		tb.Fatal(err)
	}
	return parley.OutboxEvent{ID: id, Kind: parley.EventCommentCreated, SiteID: siteID, StoryID: storyID, Payload: p, CreatedAt: time.Now()}
}

// arrivals records when each event reached the endpoint.
type arrivals struct {
	mu   sync.Mutex
	at   map[string]time.Time
	done chan struct{}
	want int
}

func newArrivals(tb testing.TB, want int) (*arrivals, *httptest.Server) {
	a := &arrivals{at: map[string]time.Time{}, done: make(chan struct{}), want: want}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.at[r.Header.Get("Parley-Event-Id")] = time.Now()
		if len(a.at) == a.want {
			close(a.done)
		}
		a.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	tb.Cleanup(srv.Close)
	return a, srv
}

// BenchmarkDeliveryThroughput drains a backlog of b.N queued events to one endpoint on
// loopback with one sender (8 concurrent requests): the rate one replica sends at.
func BenchmarkDeliveryThroughput(b *testing.B) {
	e := MustEnv(b)
	site, story := e.MustStory(b)
	a, srv := newArrivals(b, b.N)
	e.MustEndpoint(b, site, srv.URL)
	c := webhook.NewConsumer(e.store, nil, nil)
	for range b.N {
		if err := c.Handle(context.Background(), benchEvent(b, site.ID, story.ID)); err != nil {
			b.Fatal(err)
		}
	}
	s := webhook.NewSender(e.store, webhook.SenderOptions{AllowPrivate: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ResetTimer()
	start := time.Now()
	go s.Run(ctx) //nolint:errcheck // it ends with ctx
	<-a.done
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "deliveries/s")
}

// BenchmarkDeliveryLatency feeds events to the consumer one at a time, as the stream does,
// with the sender running, and reports the time from the consumer's receiving an event to
// the endpoint's receiving it.
func BenchmarkDeliveryLatency(b *testing.B) {
	e := MustEnv(b)
	site, story := e.MustStory(b)
	a, srv := newArrivals(b, b.N)
	e.MustEndpoint(b, site, srv.URL)
	s := webhook.NewSender(e.store, webhook.SenderOptions{AllowPrivate: true})
	c := webhook.NewConsumer(e.store, s.Wake, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx) //nolint:errcheck // it ends with ctx
	sent := map[string]time.Time{}
	b.ResetTimer()
	for range b.N {
		ev := benchEvent(b, site.ID, story.ID)
		sent[ev.ID] = time.Now()
		if err := c.Handle(context.Background(), ev); err != nil {
			b.Fatal(err)
		}
	}
	<-a.done
	b.StopTimer()
	var lat []time.Duration
	a.mu.Lock()
	for id, t := range sent {
		lat = append(lat, a.at[id].Sub(t))
	}
	a.mu.Unlock()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "p90-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

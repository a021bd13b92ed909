package nats_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/nats"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// drainBacklog is the size of the backlog each benchmark iteration empties.
const drainBacklog = 50000

// BenchmarkDrain measures how fast a backlog of drainBacklog events (inserted in SQL, as
// after a long NATS outage) reaches the embedded server, in events/s, next to two ceilings
// measured in the same run: the outbox alone (Drain with a publish that acks at once) and
// JetStream alone (the same messages published without the database).
func BenchmarkDrain(b *testing.B) {
	for _, batch := range []int{nats.DefaultBatchSize, 1024} {
		b.Run(fmt.Sprintf("relay/batch=%d", batch), func(b *testing.B) {
			e := MustEnv(b)
			js := MustJetStream(b, MustEmbedded(b, "", ""))
			MustStream(b, js)
			var total time.Duration
			for range b.N {
				b.StopTimer()
				MustEmptyOutbox(b, e)
				e.MustInsertEvents(b, drainBacklog)
				r := MustRelay(b, js, nats.RelayOptions{Instance: "bench", BatchSize: batch})
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				b.StartTimer()
				start := time.Now()
				go func() { done <- r.Run(ctx) }()
				for r.Stats().Published < drainBacklog {
					time.Sleep(time.Millisecond)
				}
				total += time.Since(start)
				b.StopTimer()
				cancel()
				if err := <-done; err != nil {
					b.Fatal(err)
				}
				if st := r.Stats(); st.Failures != 0 || st.Sent != drainBacklog {
					b.Fatalf("stats = %+v", st)
				}
			}
			b.ReportMetric(float64(drainBacklog*b.N)/total.Seconds(), "events/s")
		})
	}
	b.Run("ceiling/outbox-only", func(b *testing.B) {
		e := MustEnv(b)
		var total time.Duration
		for range b.N {
			b.StopTimer()
			MustEmptyOutbox(b, e)
			e.MustInsertEvents(b, drainBacklog)
			b.StartTimer()
			start := time.Now()
			for done := 0; done < drainBacklog; {
				n, err := e.outbox.Drain(context.Background(), nats.DefaultBatchSize,
					func(_ context.Context, evs []parley.OutboxEvent) ([]string, error) { return ids(evs), nil })
				if err != nil {
					b.Fatal(err)
				}
				done += n
			}
			total += time.Since(start)
		}
		b.ReportMetric(float64(drainBacklog*b.N)/total.Seconds(), "events/s")
	})
	b.Run("ceiling/jetstream-only", func(b *testing.B) {
		e := MustEnv(b)
		js := MustJetStream(b, MustEmbedded(b, "", ""))
		MustStream(b, js)
		// The same events the relay sends, read once outside the timer.
		e.MustInsertEvents(b, drainBacklog)
		events := e.Pending(b)
		MustEnv(b)
		msgs := make([]*natsgo.Msg, len(events))
		for i, ev := range events {
			msgs[i] = relayMessage(b, "bench", ev)
		}
		var total time.Duration
		for i := range b.N {
			start := time.Now()
			for lo := 0; lo < len(msgs); lo += nats.DefaultBatchSize {
				hi := min(lo+nats.DefaultBatchSize, len(msgs))
				futures := make([]jetstream.PubAckFuture, 0, hi-lo)
				for j := lo; j < hi; j++ {
					f, err := js.PublishMsgAsync(msgs[j], jetstream.WithMsgID(fmt.Sprintf("%d-%s", i, events[j].ID)))
					if err != nil {
						b.Fatal(err)
					}
					futures = append(futures, f)
				}
				for _, f := range futures {
					select {
					case <-f.Ok():
					case err := <-f.Err():
						b.Fatal(err)
					}
				}
			}
			total += time.Since(start)
		}
		b.ReportMetric(float64(drainBacklog*b.N)/total.Seconds(), "events/s")
	})
}

// MustEmptyOutbox deletes every outbox row and vacuums the table, so that each iteration
// starts from the same table and index instead of one bloated by the last drain.
func MustEmptyOutbox(tb testing.TB, e *env) {
	tb.Helper()
	postgrestest.Exec(tb, e.db, `DELETE FROM outbox`)
	postgrestest.Exec(tb, e.db, `VACUUM ANALYZE outbox`)
}

// relayMessage builds the message the relay would send for ev.
func relayMessage(tb testing.TB, instance string, ev parley.OutboxEvent) *natsgo.Msg {
	tb.Helper()
	env := nats.NewEnvelope(ev)
	body, err := json.Marshal(env)
	if err != nil {
		tb.Fatal(err)
	}
	m := natsgo.NewMsg(nats.Subject(instance, ev))
	m.Header.Set(nats.HeaderKind, ev.Kind)
	m.Header.Set(nats.HeaderContentType, nats.ContentTypeJSON)
	m.Data = body
	return m
}

package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/live"
	"github.com/parleyhq/parley/nats"
	"github.com/parleyhq/parley/postgres"
)

// newRegistry returns the registry /metrics serves, with the Go runtime's and the process's
// own collectors.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// stageObserver records each pipeline stage's time and verdicts.
func stageObserver(reg prometheus.Registerer) func(parley.StageResult) {
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "parley_moderation_stage_duration_seconds", Help: "Time each moderation stage took.",
		Buckets: []float64{.0001, .0005, .001, .005, .01, .05, .1, .5, 1, 5},
	}, []string{"stage"})
	verdicts := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "parley_moderation_stage_verdicts_total", Help: "Moderation stage verdicts, by stage, decision, shadow mode and failure.",
	}, []string{"stage", "decision", "shadow", "failed"})
	reg.MustRegister(duration, verdicts)
	return func(r parley.StageResult) {
		stage := r.Stage
		duration.WithLabelValues(stage).Observe(r.Duration.Seconds())
		verdicts.WithLabelValues(stage, string(r.Verdict.Decision), boolLabel(r.Shadow), boolLabel(r.Error != "")).Inc()
	}
}

func boolLabel(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// skippedHelp describes parley_events_skipped_total, one series per reason.
const skippedHelp = "Events this replica's consumers skipped, once per subscription that received them: " +
	"of a kind or version this build does not know (reason unknown), or not decodable at all (reason undecodable)."

// registerBusMetrics exposes the outbox backlog (read at each scrape), the relay's work, the
// events the feed could not read and the live subscribers.
func registerBusMetrics(reg prometheus.Registerer, outbox *postgres.OutboxStore, relay *nats.Relay, feed *nats.Feed, lv *live.Service) {
	backlog := func() (int, time.Time) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, oldest, err := outbox.Backlog(ctx)
		if err != nil {
			return -1, time.Time{}
		}
		return n, oldest
	}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "parley_outbox_pending", Help: "Events waiting in the outbox (-1 when the database did not answer)."},
			func() float64 { n, _ := backlog(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "parley_outbox_oldest_age_seconds", Help: "Age of the oldest pending event; 0 when none waits."},
			func() float64 {
				if _, oldest := backlog(); !oldest.IsZero() {
					return time.Since(oldest).Seconds()
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "parley_relay_published_total", Help: "Events this replica's relay published."},
			func() float64 { return float64(relay.Stats().Published) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "parley_relay_failures_total", Help: "Relay drains that failed."},
			func() float64 { return float64(relay.Stats().Failures) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "parley_nats_up", Help: "1 while the relay publishes, 0 during an outage."},
			func() float64 {
				if relay.Stats().OutageSince.IsZero() {
					return 1
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "parley_events_skipped_total",
			Help:        skippedHelp,
			ConstLabels: prometheus.Labels{"reason": "unknown"}},
			func() float64 { return float64(feed.Stats().Skipped) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "parley_events_skipped_total",
			Help:        skippedHelp,
			ConstLabels: prometheus.Labels{"reason": "undecodable"}},
			func() float64 { return float64(feed.Stats().Undecodable) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "parley_live_event_streams", Help: "Streams of story and site events this replica's live service resolves (one per shared subscription stream)."},
			func() float64 { return float64(lv.Subscribers()) }),
	)
}

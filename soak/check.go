package soak

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Report is what a soak found. The first group must be zero for a soak to pass.
type Report struct {
	// Lost counts comments the API confirmed that are not stored.
	Lost int
	// Unexplained counts stored comments of the soak that no client was told of, beyond
	// the writes whose outcome no client learned (those may or may not be stored).
	Unexplained int
	// SubscriberLost counts comments due to a subscriber (published after its first event)
	// that it neither received live nor read when it caught up after a reconnection.
	SubscriberLost int
	// Duplicated counts events a subscriber received live more than once.
	Duplicated int

	// Told counts confirmed creations; Stored the soak's stored comments.
	Told, Stored int
	// Unknown counts writes whose outcome no client learned, after one retry.
	Unknown int
	// Due, Live and CaughtUp sum over subscribers: comments due, received live, and read
	// on catch-up without having come live.
	Due, Live, CaughtUp int
	// Sessions counts subscription sessions; Closes why the ended ones ended.
	Sessions int
	Closes   map[string]int
	// Latency50 and Latency99 are percentiles of the time from a comment's creation to its
	// arrival at a subscriber, over the events that arrived live.
	Latency50, Latency99 time.Duration
	// LostAt says when the comments subscribers lost were created, by second.
	LostAt map[string]int

	Reads, ReadFailures, ReadRetries    int64
	Writes, WriteFailures, WriteRetries int64
}

// Failed reports whether the soak lost, invented or duplicated anything.
func (r Report) Failed() bool {
	return r.Lost+r.Unexplained+r.SubscriberLost+r.Duplicated > 0
}

func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "writes %d (retried %d, failed after a retry %d, outcome unknown %d), reads %d (retried %d, failed after a retry %d)\n",
		r.Writes, r.WriteRetries, r.WriteFailures, r.Unknown, r.Reads, r.ReadRetries, r.ReadFailures)
	fmt.Fprintf(&b, "comments confirmed %d, stored %d: lost %d, stored unexplained %d\n", r.Told, r.Stored, r.Lost, r.Unexplained)
	closes := make([]string, 0, len(r.Closes))
	for k, v := range r.Closes {
		closes = append(closes, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(closes)
	fmt.Fprintf(&b, "subscribers: due %d, live %d, caught up after reconnecting %d, lost %d, duplicated %d; sessions %d, ended by: %s\n",
		r.Due, r.Live, r.CaughtUp, r.SubscriberLost, r.Duplicated, r.Sessions, strings.Join(closes, ", "))
	fmt.Fprintf(&b, "from a comment's creation to a subscriber: median %s, 99th percentile %s",
		r.Latency50.Round(time.Millisecond), r.Latency99.Round(time.Millisecond))
	if len(r.LostAt) > 0 {
		at := make([]string, 0, len(r.LostAt))
		for k, v := range r.LostAt {
			at = append(at, fmt.Sprintf("%s×%d", k, v))
		}
		sort.Strings(at)
		fmt.Fprintf(&b, "\nlost comments were created at (UTC): %s", strings.Join(at, " "))
	}
	return b.String()
}

// Check stops the writers, waits up to settle for every subscriber to receive what is due
// to it, stops the rest, and compares what the clients were told with what is stored and
// what the subscribers received.
func (r *Run) Check(ctx context.Context, settle time.Duration) (Report, error) {
	r.StopWriters()
	deadline := time.Now().Add(settle)
	var rep Report
	for {
		stored, err := r.cfg.Stored(ctx, r.stories)
		if err != nil {
			return rep, err
		}
		rep = r.compare(stored)
		if rep.SubscriberLost == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	r.Stop()
	return rep, nil
}

// compare builds the report from what is stored now.
func (r *Run) compare(stored map[string]StoredComment) Report {
	r.mu.Lock()
	rep := Report{Told: len(r.told), Stored: len(stored), Unknown: r.unknowns + len(r.tagged), Closes: map[string]int{}, LostAt: map[string]int{}}
	for id := range r.told {
		if _, ok := stored[id]; !ok {
			rep.Lost++
		}
	}
	if extra := len(stored) - (len(r.told) - rep.Lost); extra > rep.Unknown {
		rep.Unexplained = extra - rep.Unknown
	}
	stopped := r.stopped
	r.mu.Unlock()
	var latencies []time.Duration
	for _, s := range r.subs {
		s.mu.Lock()
		rep.Sessions += s.connections
		for k, v := range s.closes {
			rep.Closes[k] += v
		}
		for _, n := range s.live {
			if n > 1 {
				rep.Duplicated += n - 1
			}
		}
		for id, c := range stored {
			if c.StoryID != s.story || !c.Published || !c.CreatedAt.After(s.since) || c.CreatedAt.After(stopped) {
				continue
			}
			rep.Due++
			switch {
			case s.live[id] > 0:
				rep.Live++
				latencies = append(latencies, s.liveAt[id].Sub(c.CreatedAt))
			case s.caught[id]:
				rep.CaughtUp++
			default:
				rep.SubscriberLost++
				rep.LostAt[c.CreatedAt.UTC().Format("15:04:05")]++
			}
		}
		s.mu.Unlock()
	}
	if n := len(latencies); n > 0 {
		sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
		rep.Latency50, rep.Latency99 = latencies[n/2], latencies[n*99/100]
	}
	rep.Reads, rep.ReadFailures, rep.ReadRetries = r.Reads.Load(), r.ReadFailures.Load(), r.ReadRetries.Load()
	rep.Writes, rep.WriteFailures, rep.WriteRetries = r.Writes.Load(), r.WriteFailures.Load(), r.WriteRetries.Load()
	return rep
}

// Stories are the IDs of the soak's stories.
func (r *Run) Stories() []string { return r.stories }

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley/soak"
)

// storedFrom reads the soak's comments from PostgreSQL, the source of truth.
func storedFrom(db *pgxpool.Pool) func(context.Context, []string) (map[string]soak.StoredComment, error) {
	return func(ctx context.Context, stories []string) (map[string]soak.StoredComment, error) {
		rows, err := db.Query(ctx, `SELECT id::text, story_id::text, status = 'PUBLISHED', created_at FROM comments WHERE story_id = ANY($1::uuid[])`, stories)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[string]soak.StoredComment{}
		for rows.Next() {
			var id string
			var c soak.StoredComment
			if err := rows.Scan(&id, &c.StoryID, &c.Published, &c.CreatedAt); err != nil {
				return nil, err
			}
			out[id] = c
		}
		return out, rows.Err()
	}
}

// phaseLog keeps the request counts at the start of each phase.
type phaseLog struct {
	r    *soak.Run
	logf func(string, ...any)
	rows []phase
}

type phase struct {
	name                  string
	at                    time.Time
	writes, wfail, wretry int64
	reads, rfail, rretry  int64
}

func (p *phaseLog) mark(name string) {
	p.logf("phase: %s", name)
	p.rows = append(p.rows, phase{name: name, at: time.Now(),
		writes: p.r.Writes.Load(), wfail: p.r.WriteFailures.Load(), wretry: p.r.WriteRetries.Load(),
		reads: p.r.Reads.Load(), rfail: p.r.ReadFailures.Load(), rretry: p.r.ReadRetries.Load()})
}

func (p *phaseLog) print() {
	fmt.Printf("%-48s %8s %8s %8s %8s %8s %8s %8s\n", "phase", "seconds", "writes", "w-retry", "w-fail", "reads", "r-retry", "r-fail")
	for i := 0; i+1 < len(p.rows); i++ {
		a, b := p.rows[i], p.rows[i+1]
		fmt.Printf("%-48s %8.1f %8d %8d %8d %8d %8d %8d\n", a.name, b.at.Sub(a.at).Seconds(),
			b.writes-a.writes, b.wretry-a.wretry, b.wfail-a.wfail, b.reads-a.reads, b.rretry-a.rretry, b.rfail-a.rfail)
	}
}

// settledBacklog is what a healthy relay may leave pending at any moment under the soak's
// load: events written since its last drain.
const settledBacklog = 5

// backlog watches the outbox's pending events every 100 ms.
type backlog struct {
	mu      sync.Mutex
	max     int
	drained time.Time // the last time the backlog went from some to none
	last    int
	stop    context.CancelFunc
	done    chan struct{}
}

func watchBacklog(ctx context.Context, db *pgxpool.Pool) *backlog {
	ctx, cancel := context.WithCancel(ctx)
	b := &backlog{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			var n int
			if err := db.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE published_at IS NULL`).Scan(&n); err == nil {
				b.mu.Lock()
				if n > b.max {
					b.max, b.drained = n, time.Time{}
				}
				// Drained: back to what a healthy relay leaves pending between polls, for the
				// first time since the peak.
				if n <= settledBacklog && b.max > settledBacklog && b.drained.IsZero() {
					b.drained = time.Now()
				}
				b.last = n
				b.mu.Unlock()
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return b
}

// wait returns the largest backlog seen and when it last drained, once it is empty (or
// after a minute).
func (b *backlog) wait(ctx context.Context) (int, time.Time) {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		b.mu.Lock()
		empty := b.last <= settledBacklog
		b.mu.Unlock()
		if empty {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.stop()
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drained.IsZero() {
		b.drained = time.Now()
	}
	return b.max, b.drained
}

// streamLeader names the NATS server that leads the event stream.
func streamLeader(ctx context.Context, js jetstream.JetStream) (string, error) {
	s, err := js.Stream(ctx, "PARLEY_EVENTS")
	if err != nil {
		return "", err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return "", err
	}
	if info.Cluster == nil || info.Cluster.Leader == "" {
		return "", fmt.Errorf("the event stream has no leader")
	}
	return info.Cluster.Leader, nil
}

// streamCheck compares each story's comment.created messages in the stream with the
// comments stored for it.
func streamCheck(ctx context.Context, js jetstream.JetStream, db *pgxpool.Pool, instance string, stories []string) (dupes, lost int, err error) {
	s, err := js.Stream(ctx, "PARLEY_EVENTS")
	if err != nil {
		return 0, 0, err
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter("parley."+instance+".comment.created.>"))
	if err != nil {
		return 0, 0, err
	}
	inStream := map[string]int{}
	for subject, n := range info.State.Subjects {
		inStream[subject[strings.LastIndexByte(subject, '.')+1:]] += int(n)
	}
	for _, story := range stories {
		var stored int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM comments WHERE story_id = $1`, story).Scan(&stored); err != nil {
			return 0, 0, err
		}
		switch n := inStream[story]; {
		case n > stored:
			dupes += n - stored
		case n < stored:
			lost += stored - n
		}
	}
	return dupes, lost, nil
}

// memory reports each replica's resident memory.
func memory(dir string) string {
	var parts []string
	for _, n := range []string{"1", "2", "3"} {
		pid, err := os.ReadFile(filepath.Join(dir, "parley-"+n, "pid"))
		if err != nil {
			continue
		}
		status, err := os.ReadFile(filepath.Join("/proc", strings.TrimSpace(string(pid)), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				parts = append(parts, "replica "+n+" "+strings.TrimSpace(rest))
			}
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				parts = append(parts, "(peak "+strings.TrimSpace(rest)+")")
			}
		}
	}
	return "memory after the soak (resident): " + strings.Join(parts, " ")
}

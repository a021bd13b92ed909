package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// liveBench holds subscribers idle subscriptions on one story of a real server, reports the
// server's memory per subscriber, then posts comments and measures the time from the post to
// its arrival at every subscriber.
func liveBench(ctx context.Context, base string, seed *seeded, subscribers, posts int, out io.Writer) error {
	rssBefore, err := residentMemory(base)
	if err != nil {
		return err
	}
	stackBefore, _ := metric(base, "go_memstats_stack_inuse_bytes")
	goroutinesBefore, _ := metric(base, "go_goroutines")
	var (
		mu        sync.Mutex
		latencies []time.Duration
		warmed    atomic.Int64
	)
	query := `subscription { commentCreated(storyID: "` + seed.storyID + `") { body } }`
	url := "ws" + strings.TrimPrefix(base, "http") + "/graphql"
	conns := make([]*websocket.Conn, 0, subscribers)
	var connsMu sync.Mutex
	defer func() {
		for _, c := range conns {
			c.CloseNow()
		}
	}()
	sem := make(chan struct{}, 100)
	var wg sync.WaitGroup
	var dialErr atomic.Value
	for i := 0; i < subscribers; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
			if err != nil {
				dialErr.Store(err)
				return
			}
			c.SetReadLimit(1 << 20)
			connsMu.Lock()
			conns = append(conns, c)
			connsMu.Unlock()
			_ = wsjson.Write(ctx, c, map[string]any{"type": "connection_init"})
			var ack map[string]any
			if err := wsjson.Read(ctx, c, &ack); err != nil {
				dialErr.Store(err)
				return
			}
			_ = wsjson.Write(ctx, c, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query}})
			go func() {
				seenProbe := false
				for {
					var msg struct {
						Type    string
						Payload struct {
							Data struct{ CommentCreated struct{ Body string } }
						}
					}
					if err := wsjson.Read(ctx, c, &msg); err != nil {
						return
					}
					body := msg.Payload.Data.CommentCreated.Body
					now := time.Now()
					if i := strings.Index(body, "sent="); i >= 0 {
						ns, _ := strconv.ParseInt(strings.TrimRight(body[i+5:], "</p>\n"), 10, 64)
						mu.Lock()
						latencies = append(latencies, now.Sub(time.Unix(0, ns)))
						mu.Unlock()
					} else if !seenProbe {
						seenProbe = true
						warmed.Add(1)
					}
				}
			}()
		}()
	}
	wg.Wait()
	if err, _ := dialErr.Load().(error); err != nil {
		return fmt.Errorf("opening subscriptions: %w", err)
	}
	post := func(body string) error {
		return gql(base, seed.tokens[0], `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
			map[string]any{"i": map[string]any{"storyID": seed.storyID, "body": body}}, nil)
	}
	// A subscription is live once its server subscribed on NATS; probe until all are.
	deadline := time.Now().Add(2 * time.Minute)
	for i := 0; warmed.Load() < int64(subscribers); i++ {
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d subscriptions went live", warmed.Load(), subscribers)
		}
		if err := post(fmt.Sprintf("probe %d", i)); err != nil {
			return err
		}
		time.Sleep(500 * time.Millisecond) // the probes' pace, not a wait for an event
	}
	rssAfter, err := residentMemory(base)
	if err != nil {
		return err
	}
	stackAfter, _ := metric(base, "go_memstats_stack_inuse_bytes")
	goroutinesAfter, _ := metric(base, "go_goroutines")
	fmt.Fprintf(out, "%d subscribers: %.1f goroutines and %.1f kB of stack each\n", subscribers,
		float64(goroutinesAfter-goroutinesBefore)/float64(subscribers), float64(stackAfter-stackBefore)/float64(subscribers)/1e3)
	for i := 0; i < posts; i++ {
		if err := post(fmt.Sprintf("timed sent=%d", time.Now().UnixNano())); err != nil {
			return err
		}
		time.Sleep(200 * time.Millisecond) // one comment every 200 ms, a busy story's pace
	}
	want := subscribers * posts
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		n := len(latencies)
		mu.Unlock()
		if n >= want {
			break
		}
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(latencies)
	if len(latencies) == 0 {
		return fmt.Errorf("no timed comment arrived")
	}
	pct := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
	fmt.Fprintf(out, "%d idle subscribers: server memory %+.1f MB (%.1f kB each); %d comments delivered %d of %d times; latency p50 %s, p99 %s, max %s\n",
		subscribers, float64(rssAfter-rssBefore)/1e6, float64(rssAfter-rssBefore)/float64(subscribers)/1e3,
		posts, len(latencies), want, pct(0.5).Round(time.Millisecond/10), pct(0.99).Round(time.Millisecond/10), latencies[len(latencies)-1].Round(time.Millisecond))
	return nil
}

// residentMemory reads the server's resident memory from its /metrics.
func residentMemory(base string) (int64, error) { return metric(base, "process_resident_memory_bytes") }

// metric reads one unlabelled metric from the server's /metrics.
func metric(base, name string) (int64, error) {
	res, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	lines := bufio.NewScanner(res.Body)
	for lines.Scan() {
		if v, ok := strings.CutPrefix(lines.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return int64(f), err
		}
	}
	return 0, fmt.Errorf("no %s in /metrics", name)
}

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/parleyhq/parley/postgres/scratchdb"
)

// outageBench runs a server against a NATS server of the harness's own, writes comments at a
// steady rate, stops NATS for the outage, starts it again, and measures how long the outbox
// backlog takes to drain while the writes go on.
func outageBench(ctx context.Context, o options, outage time.Duration, rate int, out io.Writer) error {
	dir, err := os.MkdirTemp("", "parley-bench-nats-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	startNATS := func(port int) (*natsserver.Server, error) {
		ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: dir, NoSigs: true})
		if err != nil {
			return nil, err
		}
		go ns.Start()
		if !ns.ReadyForConnections(10 * time.Second) {
			return nil, fmt.Errorf("NATS did not start")
		}
		return ns, nil
	}
	ns, err := startNATS(-1)
	if err != nil {
		return err
	}
	port := ns.Addr().(interface{ String() string })
	url := "nats://" + port.String()
	_, portNumber, _ := splitHostPort(port.String())

	dsn, drop, err := scratchdb.Create(ctx)
	if err != nil {
		return err
	}
	defer drop()
	work, err := os.MkdirTemp("", "parley-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	srv, err := startServer(ctx, o.parley, dsn, work, "NATS_URL="+url)
	if err != nil {
		return err
	}
	defer srv.stop()
	seed, err := seedStory(ctx, srv.base, 8)
	if err != nil {
		return err
	}

	// Writers at a steady rate until told to stop.
	var written, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			tick := time.NewTicker(time.Second * 8 / time.Duration(rate))
			defer tick.Stop()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				err := gql(srv.base, seed.tokens[w], `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
					map[string]any{"i": map[string]any{"storyID": seed.hotStoryID, "body": fmt.Sprintf("writer %d comment %d", w, i)}}, nil)
				if err != nil {
					failed.Add(1)
				} else {
					written.Add(1)
				}
			}
		}(w)
	}
	defer func() { close(stop); wg.Wait() }()

	time.Sleep(5 * time.Second) // steady state before the outage
	ns.Shutdown()
	ns.WaitForShutdown()
	outageStart := time.Now()
	time.Sleep(outage) // the outage itself: its length is the experiment
	backlog, err := metric(srv.base, "parley_outbox_pending")
	if err != nil {
		return err
	}
	if ns, err = startNATS(portNumber); err != nil {
		return err
	}
	defer ns.Shutdown()
	recovered := time.Now()
	for {
		pending, err := metric(srv.base, "parley_outbox_pending")
		if err != nil {
			return err
		}
		if pending < int64(rate) { // less than a second of writes waiting: drained
			break
		}
		if time.Since(recovered) > 10*time.Minute {
			return fmt.Errorf("backlog of %d not drained after 10 minutes", pending)
		}
		time.Sleep(100 * time.Millisecond)
	}
	drain := time.Since(recovered)
	fmt.Fprintf(out, "NATS outage of %s at %d comments/s (%d written, %d failed): backlog %d events, drained in %s (%.0f events/s above the ongoing writes)\n",
		recovered.Sub(outageStart).Round(time.Second), rate, written.Load(), failed.Load(), backlog, drain.Round(100*time.Millisecond),
		float64(backlog)/drain.Seconds())
	return nil
}

func splitHostPort(hp string) (string, int, error) {
	var host string
	var port int
	for i := len(hp) - 1; i >= 0; i-- {
		if hp[i] == ':' {
			host = hp[:i]
			_, err := fmt.Sscanf(hp[i+1:], "%d", &port)
			return host, port, err
		}
	}
	return hp, 0, fmt.Errorf("no port in %q", hp)
}

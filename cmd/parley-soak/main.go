// Command parley-soak runs the soak of `make soak` against the cluster of `make cluster`
// (scripts/cluster.sh): writers, readers and live subscribers through HAProxy while it
// restarts the replicas one by one, kills one with SIGKILL, kills a NATS node and the event
// stream's leader, restarts PostgreSQL (the cluster's private one) and stops Redis for a
// while. It then checks what the clients were told against what PostgreSQL stored, what
// the stream holds and what the subscribers received, and prints the figures to quote:
// read throughput of one replica against three behind HAProxy, the outbox backlog and its
// drain time around the NATS faults, and each replica's memory after the soak.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley/soak"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "parley-soak:", err)
		os.Exit(1)
	}
}

type options struct {
	writeRate, readRate    float64
	writers, readers, subs int
	stories                int
	pause, redisDown       time.Duration
	capacity               time.Duration
	instance               string
	faults                 string
}

func run(ctx context.Context) error {
	var o options
	flag.Float64Var(&o.writeRate, "write-rate", 50, "comments per second, all writers together")
	flag.Float64Var(&o.readRate, "read-rate", 500, "story pages read per second, all readers together")
	flag.IntVar(&o.writers, "writers", 25, "writer accounts")
	flag.IntVar(&o.readers, "readers", 50, "reader goroutines")
	flag.IntVar(&o.subs, "subscribers", 30, "live subscribers")
	flag.IntVar(&o.stories, "stories", 10, "stories written to and read")
	flag.DurationVar(&o.pause, "pause", 10*time.Second, "load between faults")
	flag.DurationVar(&o.redisDown, "redis-down", time.Minute, "how long Redis stays stopped")
	flag.DurationVar(&o.capacity, "capacity", 10*time.Second, "length of each read-throughput measurement (0: skip)")
	flag.StringVar(&o.instance, "instance", "cluster", "PARLEY_INSTANCE of the cluster")
	flag.StringVar(&o.faults, "faults", "rolling,kill,nats,pg,redis", "faults to inject, in this order: rolling (restart each replica), kill (kill -9 a replica), nats (kill -9 a follower, then the stream leader), pg, redis")
	flag.Parse()

	env, err := clusterEnv(ctx)
	if err != nil {
		return err
	}
	dir := env["PARLEY_CLUSTER_DIR"]
	password, err := os.ReadFile(filepath.Join(dir, "admin-password"))
	if err != nil {
		return err
	}
	db, err := pgxpool.New(ctx, env["DATABASE_URL"])
	if err != nil {
		return err
	}
	defer db.Close()
	nc, err := natsgo.Connect(env["NATS_URL"], natsgo.MaxReconnects(-1))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}

	logf := func(format string, args ...any) {
		fmt.Printf("%s %s\n", time.Now().UTC().Format("15:04:05.000"), fmt.Sprintf(format, args...))
	}
	r, err := soak.Setup(ctx, soak.Config{
		URLs: []string{env["PARLEY_CLUSTER_URL"]}, AdminLogin: "admin@parley.localhost", AdminPassword: strings.TrimSpace(string(password)),
		Stories: o.stories, Writers: o.writers, Readers: o.readers, Subscribers: o.subs, WriteRate: o.writeRate, ReadRate: o.readRate,
		Stored: storedFrom(db), Logf: logf,
	})
	if err != nil {
		return err
	}
	var figures []string
	if o.capacity > 0 {
		for _, signedIn := range []bool{false, true} {
			what := "anonymous (page cache)"
			if signedIn {
				what = "signed in (database)"
			}
			one := r.Capacity(ctx, []string{env["PARLEY_CLUSTER_SINGLE_URL"]}, 32, o.capacity, signedIn)
			three := r.Capacity(ctx, []string{env["PARLEY_CLUSTER_URL"]}, 32, o.capacity, signedIn)
			figures = append(figures, fmt.Sprintf("read throughput, %s: one replica behind HAProxy %.0f pages/s, three %.0f pages/s (x%.2f)", what, one, three, three/one))
			logf("%s", figures[len(figures)-1])
		}
	}
	logf("starting load: %.0f writes/s, %.0f reads/s, %d subscribers", o.writeRate, o.readRate, o.subs)
	if err := r.Start(ctx); err != nil {
		return err
	}
	phases := &phaseLog{r: r, logf: logf}
	phases.mark("baseline")
	sleep(ctx, o.pause)
	cluster := func(args ...string) error {
		logf("scripts/cluster.sh %s", strings.Join(args, " "))
		cmd := exec.CommandContext(ctx, "scripts/cluster.sh", args...)
		cmd.Stderr = os.Stderr
		return cmd.Run()
	}

	faults := map[string]bool{}
	for _, f := range strings.Split(o.faults, ",") {
		faults[strings.TrimSpace(f)] = true
	}
	if faults["rolling"] {
		phases.mark("rolling restart")
		for _, n := range []string{"1", "2", "3"} {
			if err := cluster("restart", n); err != nil {
				return err
			}
		}
		sleep(ctx, o.pause)
	}
	if faults["kill"] {
		phases.mark("kill -9 replica 2")
		if err := cluster("kill", "2"); err != nil {
			return err
		}
		sleep(ctx, 5*time.Second)
		if err := cluster("start-replica", "2"); err != nil {
			return err
		}
		sleep(ctx, o.pause)
	}
	for _, which := range []string{"follower", "leader"} {
		if !faults["nats"] {
			break
		}
		leader, err := streamLeader(ctx, js)
		if err != nil {
			return err
		}
		node := strings.TrimPrefix(leader, "n")
		if which == "follower" {
			node = map[string]string{"1": "2", "2": "3", "3": "1"}[node]
		}
		phases.mark("kill -9 NATS " + which + " n" + node)
		w := watchBacklog(ctx, db)
		if err := cluster("kill-nats", node); err != nil {
			return err
		}
		killed := time.Now()
		sleep(ctx, 10*time.Second)
		if err := cluster("start-nats", node); err != nil {
			return err
		}
		recovered := time.Now()
		max, drained := w.wait(ctx)
		figures = append(figures, fmt.Sprintf("NATS %s killed for %s: outbox backlog at most %d events, empty again %s after the kill (the node was back after %s)",
			which, recovered.Sub(killed).Round(100*time.Millisecond), max, drained.Sub(killed).Round(10*time.Millisecond), recovered.Sub(killed).Round(100*time.Millisecond)))
		logf("%s", figures[len(figures)-1])
		sleep(ctx, o.pause)
	}

	if faults["pg"] {
		phases.mark("PostgreSQL restart (the cluster's private one)")
		if err := cluster("restart-pg"); err != nil {
			return err
		}
		sleep(ctx, o.pause)
	}
	if faults["redis"] {
		phases.mark(fmt.Sprintf("Redis stopped for %s", o.redisDown))
		if err := cluster("stop-redis"); err != nil {
			return err
		}
		sleep(ctx, o.redisDown)
		if err := cluster("start-redis"); err != nil {
			return err
		}
		sleep(ctx, o.pause)
	}
	phases.mark("end")

	logf("checking")
	rep, err := r.Check(ctx, 30*time.Second)
	if err != nil {
		return err
	}
	dupes, streamLost, err := streamCheck(ctx, js, db, o.instance, r.Stories())
	if err != nil {
		return err
	}
	fmt.Println()
	fmt.Println("== per phase")
	phases.print()
	fmt.Println("== figures")
	for _, f := range figures {
		fmt.Println(f)
	}
	fmt.Println(memory(dir))
	fmt.Println("== check")
	fmt.Println(rep)
	fmt.Printf("stream: comment.created events missing %d, duplicated %d\n", streamLost, dupes)
	if rep.Failed() || dupes+streamLost > 0 {
		return fmt.Errorf("the soak lost, invented or duplicated something")
	}
	fmt.Println("PASS: nothing lost, nothing duplicated")
	return nil
}

// clusterEnv reads `scripts/cluster.sh env`.
func clusterEnv(ctx context.Context) (map[string]string, error) {
	out, err := exec.CommandContext(ctx, "scripts/cluster.sh", "env").Output()
	if err != nil {
		return nil, fmt.Errorf("scripts/cluster.sh env (is `make cluster` running?): %w", err)
	}
	env := map[string]string{}
	for sc := bufio.NewScanner(bytes.NewReader(out)); sc.Scan(); {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	return env, nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

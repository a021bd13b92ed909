package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	natsserver "github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/soak"
)

// The soak of `make soak` at a smaller size: three replicas and a three-node NATS cluster,
// each a process of its own (this test binary, run again as TestSoakHelper) so that it can
// be killed with SIGKILL, on the test's PostgreSQL. There is no balancer: the soak's clients
// take the replicas in turn and move on when one refuses a connection. Faults: a rolling
// restart, a replica killed, the event stream's NATS leader killed. Only correctness is
// asserted (nothing lost, nothing invented, nothing duplicated); the request counts are
// logged, since a busy machine may time out a request or two.

const soakHelperEnv = "PARLEY_SOAK_HELPER"

// TestSoakHelper is not a test: it is what the soak's child processes run.
func TestSoakHelper(t *testing.T) {
	switch os.Getenv(soakHelperEnv) {
	case "":
		t.Skip("runs only as a child process of TestSoak")
	case "replica":
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		defer stop()
		if err := run(ctx, []string{"serve"}, os.Getenv, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	case "nats":
		opts, err := natsserver.ProcessConfigFile(os.Getenv("PARLEY_SOAK_NATS_CONF"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		srv, err := natsserver.NewServer(opts)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		srv.Start()
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		<-sig
		srv.Shutdown()
		os.Exit(0)
	}
}

// child is a process of the soak.
type child struct {
	t    *testing.T
	name string
	env  []string
	cmd  *exec.Cmd
	log  *os.File
}

func (c *child) start() {
	c.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSoakHelper$")
	cmd.Env = append(os.Environ(), c.env...)
	cmd.Stdout, cmd.Stderr = c.log, c.log
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.cmd = cmd
}

// stop sends sig and waits for the process to end.
func (c *child) stop(sig syscall.Signal) {
	if c.cmd == nil {
		return
	}
	_ = c.cmd.Process.Signal(sig)
	_ = c.cmd.Wait()
	c.cmd = nil
}

func freePorts(t *testing.T, n int) []int {
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// mustReady waits for a replica's /readyz.
func mustReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute) // a busy machine starts slowly
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not become ready", base)
}

func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak takes a minute")
	}
	ctx := context.Background()
	dsn, drop, err := postgrestest.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = drop() })
	dir := t.TempDir()
	logs, err := os.Create(filepath.Join(dir, "children.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			_, _ = logs.Seek(0, io.SeekStart)
			b, _ := io.ReadAll(logs)
			t.Logf("children's logs (last 4 kB):\n%s", b[max(0, len(b)-4096):])
		}
		logs.Close()
	}()

	ports := freePorts(t, 9) // NATS clients, NATS routes, replicas
	var natsURLs, routes []string
	for i := range 3 {
		natsURLs = append(natsURLs, fmt.Sprintf("nats://127.0.0.1:%d", ports[i]))
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", ports[3+i]))
	}
	nodes := make([]*child, 3)
	for i := range nodes {
		conf := filepath.Join(dir, fmt.Sprintf("n%d.conf", i+1))
		body := fmt.Sprintf("server_name: n%d\nlisten: 127.0.0.1:%d\njetstream { store_dir: %q }\ncluster { name: soak, listen: 127.0.0.1:%d, routes: [%s] }\n",
			i+1, ports[i], filepath.Join(dir, fmt.Sprintf("n%d", i+1)), ports[3+i], strings.Join(routes, ", "))
		if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		nodes[i] = &child{t: t, name: fmt.Sprintf("n%d", i+1), env: []string{soakHelperEnv + "=nats", "PARLEY_SOAK_NATS_CONF=" + conf}, log: logs}
		nodes[i].start()
	}
	t.Cleanup(func() {
		for _, n := range nodes {
			n.stop(syscall.SIGTERM)
		}
	})

	instance := fmt.Sprintf("soak%d", time.Now().UnixNano()%1e9)
	var bases []string
	replicas := make([]*child, 3)
	for i := range replicas {
		base := fmt.Sprintf("http://127.0.0.1:%d", ports[6+i])
		bases = append(bases, base)
		replicas[i] = &child{t: t, name: fmt.Sprintf("replica %d", i+1), log: logs, env: []string{soakHelperEnv + "=replica",
			"DATABASE_URL=" + dsn, "NATS_URL=" + strings.Join(natsURLs, ","), "PARLEY_NATS_REPLICAS=3", "PARLEY_INSTANCE=" + instance,
			"PARLEY_ADDR=" + strings.TrimPrefix(base, "http://"), "PARLEY_DATA_DIR=" + filepath.Join(dir, fmt.Sprintf("r%d", i+1)),
			"PARLEY_DRAIN_DELAY=300ms", "PARLEY_SHUTDOWN_TIMEOUT=10s", "PARLEY_ADMIN_EMAIL=admin@soak.example", "PARLEY_ADMIN_PASSWORD=the soak's admin password",
			"PARLEY_SIGNUPS_PER_HOUR=100000", "PARLEY_MUTATIONS_PER_MINUTE=100000", "PARLEY_CLIENT_MUTATIONS_PER_MINUTE=1000000",
			"REDIS_URL=", "PARLEY_PAGE_CACHE_BYTES=0", "PARLEY_LOG_LEVEL=warn"}}
		replicas[i].start()
	}
	t.Cleanup(func() {
		for _, r := range replicas {
			r.stop(syscall.SIGTERM)
		}
	})
	for _, b := range bases {
		mustReady(t, b)
	}

	db, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	run, err := soak.Setup(ctx, soak.Config{URLs: bases, AdminLogin: "admin@soak.example", AdminPassword: "the soak's admin password",
		Stories: 3, Writers: 3, Readers: 3, Subscribers: 6, WriteRate: 10, ReadRate: 20, Stored: storedComments(db), Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Start(ctx); err != nil {
		t.Fatal(err)
	}
	pause := func() { time.Sleep(2 * time.Second) }
	pause()

	t.Log("rolling restart")
	for i, r := range replicas {
		r.stop(syscall.SIGTERM)
		r.start()
		mustReady(t, bases[i])
	}
	pause()
	t.Log("kill -9 of replica 2")
	replicas[1].stop(syscall.SIGKILL)
	pause()
	replicas[1].start()
	mustReady(t, bases[1])
	pause()

	leader := mustStreamLeader(t, natsURLs)
	t.Logf("kill -9 of the event stream's leader, %s", leader)
	n := nodes[leader[1]-'1']
	n.stop(syscall.SIGKILL)
	time.Sleep(3 * time.Second)
	n.start()
	pause()

	rep, err := run.Check(ctx, 45*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("soak:\n%s", rep)
	t.Run("nothing the clients were told is lost, and nothing is invented or duplicated", func(t *testing.T) {
		if rep.Failed() {
			t.Fatalf("%s", rep)
		}
		if rep.Told == 0 || rep.Due == 0 {
			t.Fatalf("the soak did nothing: %s", rep)
		}
	})
}

// mustStreamLeader names the NATS node leading the event stream ("n1" to "n3").
func mustStreamLeader(t *testing.T, urls []string) string {
	t.Helper()
	nc, err := natsgo.Connect(strings.Join(urls, ","))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, "PARLEY_EVENTS")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil || info.Cluster == nil || len(info.Cluster.Leader) != 2 {
		t.Fatalf("stream info: %+v, %v", info, err)
	}
	return info.Cluster.Leader
}

// storedComments reads the soak's comments from the database.
func storedComments(db *pgxpool.Pool) func(context.Context, []string) (map[string]soak.StoredComment, error) {
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

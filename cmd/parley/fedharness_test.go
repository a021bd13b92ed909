package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/nats"
	"github.com/parleyhq/parley/postgres"
)

// The harness of the federation tests that run each instance as a process of its own (this
// test binary run again as TestSoakHelper), so that a test can kill one with SIGKILL: each
// `parley serve` has its own database and data directory, and either its embedded NATS or,
// with externalNATS, a NATS server process of its own configured with the accounts and
// leaf nodes the README describes. The sizes are small by default so that `make test` stays
// short; PARLEY_FED_SOAK=1 runs the full sizes the issue names and logs the figures.

// fedSoak reports whether the full sizes were asked for.
func fedSoak() bool { return os.Getenv("PARLEY_FED_SOAK") != "" }

// fedSize is small by default and full with PARLEY_FED_SOAK.
func fedSize(small, full int) int {
	if fedSoak() {
		return full
	}
	return small
}

// fedProc is one child process: a replica (`parley serve`) or a NATS server.
type fedProc struct {
	t       testing.TB
	name    string
	env     []string
	logPath string
	// ready, for a replica, is closed when it prints its address.
	mu    sync.Mutex
	cmd   *exec.Cmd
	ready chan string
	done  chan struct{}
}

func (p *fedProc) start() {
	p.t.Helper()
	log, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		p.t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSoakHelper$")
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stderr = log
	out, err := cmd.StdoutPipe()
	if err != nil {
		p.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	ready, done := make(chan string, 1), make(chan struct{})
	re := regexp.MustCompile(`listening on (http://\S+)`)
	go func() {
		defer close(done)
		defer log.Close()
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			fmt.Fprintln(log, lines.Text())
			if m := re.FindStringSubmatch(lines.Text()); m != nil {
				select {
				case ready <- m[1]:
				default:
				}
			}
		}
		_ = cmd.Wait()
	}()
	p.mu.Lock()
	p.cmd, p.ready, p.done = cmd, ready, done
	p.mu.Unlock()
}

// stop sends sig (SIGKILL for a crash) and waits for the process to end.
func (p *fedProc) stop(sig syscall.Signal) {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.cmd = nil
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// awaitListening waits for a replica to print its address.
func (p *fedProc) awaitListening() {
	p.t.Helper()
	select {
	case <-p.ready:
	case <-p.done:
		p.t.Fatalf("%s exited at start:\n%s", p.name, p.tail())
	case <-time.After(2 * time.Minute): // a busy machine starts slowly
		p.t.Fatalf("%s did not start:\n%s", p.name, p.tail())
	}
}

// awaitPort waits for a NATS server's client port.
func (p *fedProc) awaitPort(addr string) {
	p.t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) { // another process: polled
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s never listened on %s:\n%s", p.name, addr, p.tail())
		}
	}
}

// tail is the end of the process's log, for failures.
func (p *fedProc) tail() string {
	b, _ := os.ReadFile(p.logPath)
	if len(b) > 8000 {
		b = b[len(b)-8000:]
	}
	return string(b)
}

// fedNode is one federated instance run as processes: its replica and, with an external
// NATS, that server. It embeds fedInstance for the API and command helpers.
type fedNode struct {
	*fedInstance
	dsn      string
	fedAddr  string
	replica  *fedProc
	natsProc *fedProc
	natsAddr string
	// natsConf is the external NATS server's configuration file; federation.conf next to
	// it is what `parley peer nats-config` printed.
	natsConf string
}

// fedNodeOptions configure startFedNode.
type fedNodeOptions struct {
	// ExternalNATS runs the instance's NATS as a process of its own (NATS_URL), configured
	// as the README says: its federation accounts and leaf nodes are what `parley peer
	// nats-config` prints, written again (and the server restarted) once peers are linked.
	ExternalNATS bool
}

// startFedNode starts an instance named name and waits until it serves.
func startFedNode(t testing.TB, name string, o fedNodeOptions) *fedNode {
	t.Helper()
	dsn, drop, err := postgrestestCreate(t)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	t.Cleanup(func() { _ = drop() })
	dir := t.TempDir()
	addr := freeAddr(t)
	n := &fedNode{dsn: dsn, fedAddr: freeAddr(t), fedInstance: &fedInstance{name: name, logs: &lockedBuffer{}, env: map[string]string{
		"DATABASE_URL":            dsn,
		"PARLEY_ADDR":             addr,
		"PARLEY_PUBLIC_URL":       "http://" + addr,
		"PARLEY_DATA_DIR":         filepath.Join(dir, "data"),
		"PARLEY_INSTANCE":         name,
		"PARLEY_SECRET_KEY":       "a secret of " + name + " long enough",
		"PARLEY_ADMIN_EMAIL":      "admin@" + name + ".example",
		"PARLEY_ADMIN_PASSWORD":   "correct horse battery",
		"PARLEY_LOG_LEVEL":        "info",
		"PARLEY_SIGNUPS_PER_HOUR": "1000",
		// The tests post faster than people.
		"PARLEY_MUTATIONS_PER_MINUTE":             "1000000",
		"PARLEY_CLIENT_MUTATIONS_PER_MINUTE":      "1000000",
		"PARLEY_NEW_ACCOUNT_MUTATIONS_PER_MINUTE": "1000000",
	}}}
	n.env["PARLEY_FEDERATION_ADDR"] = n.fedAddr
	if o.ExternalNATS {
		n.natsAddr = freeAddr(t)
		host, port, _ := net.SplitHostPort(n.natsAddr)
		const pw = "app-password"
		// No peer yet: the federation accounts alone, as nats-config prints them before
		// any link (the database has no tables before the replica's first start).
		fed, err := nats.FederationConfig(nats.FederationOptions{Instance: name, Listen: n.fedAddr}, pw)
		if err != nil {
			t.Fatal(err)
		}
		// The operator's part: a server name of its own, the client listener, JetStream;
		// the federation part is included.
		n.natsConf = filepath.Join(dir, "nats.conf")
		// Its monitoring endpoint tells the replica's /readyz which leaf connections are up.
		monitor := freeAddr(t)
		conf := fmt.Sprintf("server_name: %s-nats\nhost: %q\nport: %s\nhttp: %q\njetstream { store_dir: %q }\ninclude \"federation.conf\"\n",
			name, host, port, monitor, filepath.Join(dir, "nats"))
		n.env["PARLEY_NATS_MONITOR_URL"] = "http://" + monitor
		if err := os.WriteFile(n.natsConf, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "federation.conf"), []byte(fed), 0o600); err != nil {
			t.Fatal(err)
		}
		n.natsProc = &fedProc{t: t, name: name + "-nats", logPath: filepath.Join(dir, "nats.log"),
			env: []string{soakHelperEnv + "=nats", "PARLEY_SOAK_NATS_CONF=" + n.natsConf}}
		n.env["NATS_URL"] = "nats://app:" + pw + "@" + n.natsAddr
		n.startNATS()
		t.Cleanup(func() { n.natsProc.stop(syscall.SIGTERM) })
	}
	var env []string
	for k, v := range n.env {
		env = append(env, k+"="+v)
	}
	n.replica = &fedProc{t: t, name: name, env: append(env, soakHelperEnv+"=replica"), logPath: filepath.Join(dir, "replica.log")}
	n.base = "http://" + addr
	n.startReplica()
	t.Cleanup(func() {
		n.replica.stop(syscall.SIGTERM)
		if t.Failed() {
			t.Logf("log of %s:\n%s", name, n.replica.tail())
		}
	})
	return n
}

// startReplica starts (or restarts) the instance's `parley serve` and waits until it serves.
func (n *fedNode) startReplica() {
	n.replica.start()
	n.replica.awaitListening()
}

// startNATS starts (or restarts) the instance's external NATS server.
func (n *fedNode) startNATS() {
	n.natsProc.start()
	n.natsProc.awaitPort(n.natsAddr)
}

// configureNATS writes what `parley peer nats-config` prints for the peers now linked into
// the external NATS server's federation.conf and restarts that server, as an operator does
// after peers change (a restart rather than a reload: nats-server gives an account new in a
// reload its service imports only at a second one).
func (n *fedNode) configureNATS(t testing.TB) {
	t.Helper()
	var out, errOut strings.Builder
	if err := run(context.Background(), []string{"peer", "nats-config"}, func(k string) string { return n.env[k] }, &out, &errOut); err != nil {
		t.Fatalf("peer nats-config: %v\n%s", err, errOut.String())
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(n.natsConf), "federation.conf"), []byte(out.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	n.natsProc.stop(syscall.SIGTERM)
	n.startNATS()
}

// db opens the instance's database, for checkers.
func (n *fedNode) db(t testing.TB) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), n.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// jetStream connects to the node's NATS as a client would (to put messages where only
// the node's own processes should), closed when the test ends.
func (n *fedNode) jetStream(t testing.TB) jetstream.JetStream {
	t.Helper()
	nc, err := natsgo.Connect(n.env["NATS_URL"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// identity opens the node's federation identity on its database, as `parley key` does: a
// test signs with its keys as a thief who stole them would, or rotates them behind the
// server's back.
func (n *fedNode) identity(t testing.TB) *federation.Identity {
	t.Helper()
	db, err := postgres.Open(context.Background(), n.dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	id, err := federation.OpenIdentity(context.Background(), postgres.NewFederationStore(db), federation.IdentityOptions{Name: n.name, Secret: n.env["PARLEY_SECRET_KEY"]})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// link peers a and b through the API of each (a's record of b is made first; b's answer
// makes both active). tune, when set, runs on b's database between the two, while b's
// record of a is pending and no consumer reads it yet (to set quotas).
func link(t testing.TB, a, b *fedNode, tune func(bdb *pgx.Conn)) {
	t.Helper()
	var added struct{ AddPeer struct{ State string } }
	mustGQL(t, b.base, b.adminToken(t), `mutation($u: String!) { addPeer(input: {url: $u}) { state } }`, map[string]any{"u": a.base}, &added)
	if tune != nil {
		tune(b.db(t))
	}
	mustGQL(t, a.base, a.adminToken(t), `mutation($u: String!) { addPeer(input: {url: $u}) { state } }`, map[string]any{"u": b.base}, &added)
	if added.AddPeer.State != "ACTIVE" {
		t.Fatalf("%s's link to %s is %s", a.name, b.name, added.AddPeer.State)
	}
	// Each side now holds the other's leaf credentials; an external NATS learns them from
	// its operator.
	for _, n := range []*fedNode{a, b} {
		if n.natsProc != nil {
			n.configureNATS(t)
		}
	}
}

// setQuota sets the messages-per-second quota of every peer record in a database.
func setQuota(t testing.TB, perSecond int) func(*pgx.Conn) {
	return func(db *pgx.Conn) {
		if _, err := db.Exec(context.Background(), `UPDATE federation_peers SET max_msgs_per_sec = $1`, perSecond); err != nil {
			t.Fatal(err)
		}
	}
}

// site creates a site for the origin of the test's articles and returns its ID.
func (n *fedNode) site(t testing.TB) string {
	t.Helper()
	var s struct{ CreateSite struct{ ID string } }
	mustGQL(t, n.base, n.adminToken(t), `mutation { createSite(input: {name: "News", allowedOrigins: ["https://news.example"]}) { id } }`, nil, &s)
	return s.CreateSite.ID
}

// share shares the story at url on n with the named peers and returns the story's ID.
func (n *fedNode) share(t testing.TB, url string, peers ...string) string {
	t.Helper()
	token := n.adminToken(t)
	var story struct{ Story struct{ ID string } }
	mustGQL(t, n.base, "", `query($u: String!) { story(url: $u) { id } }`, map[string]any{"u": url}, &story)
	var list struct{ Peers []struct{ ID, Name string } }
	mustGQL(t, n.base, token, `{ peers { id name } }`, nil, &list)
	var ids []string
	for _, p := range list.Peers {
		for _, want := range peers {
			if p.Name == want {
				ids = append(ids, p.ID)
			}
		}
	}
	if len(ids) != len(peers) {
		t.Fatalf("%s's peers are %+v, not %v", n.name, list.Peers, peers)
	}
	mustGQL(t, n.base, token, `mutation($s: ID!, $p: [ID!]!) { shareStory(input: {storyID: $s, peerIDs: $p}) { id } }`,
		map[string]any{"s": story.Story.ID, "p": ids}, nil)
	return story.Story.ID
}

// awaitLeafs waits until n's NATS (embedded, or external as its monitoring endpoint tells)
// holds a leaf connection to every active peer.
func (n *fedInstance) awaitLeafs(t testing.TB) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) { // another process: polled
		resp, err := http.Get(n.base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		var ready map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&ready)
		resp.Body.Close()
		if ready["federation"] == "ok" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s's federation never became ready: %v", n.name, ready)
		}
	}
}

// post creates a comment as token and returns its ID.
func (n *fedNode) post(t testing.TB, token, storyID, parentID, body string) string {
	t.Helper()
	in := map[string]any{"storyID": storyID, "body": body}
	if parentID != "" {
		in["parentID"] = parentID
	}
	var c struct {
		CreateComment struct{ Comment struct{ ID string } }
	}
	mustGQL(t, n.base, token, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`, map[string]any{"i": in}, &c)
	return c.CreateComment.Comment.ID
}

// tryPost is post for a client that tolerates an instance being down: ok is false when the
// request failed or was refused.
func (n *fedNode) tryPost(token, storyID, body string) bool {
	raw, _ := json.Marshal(map[string]any{"query": `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
		"variables": map[string]any{"i": map[string]any{"storyID": storyID, "body": body}}})
	req, _ := http.NewRequest(http.MethodPost, n.base+"/graphql", strings.NewReader(string(raw)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := fedClient.Do(req)
	if err != nil {
		return false
	}
	defer res.Body.Close()
	var answer struct {
		Data struct {
			CreateComment *struct{ Comment struct{ ID string } }
		}
	}
	b, _ := io.ReadAll(res.Body)
	return json.Unmarshal(b, &answer) == nil && answer.Data.CreateComment != nil && answer.Data.CreateComment.Comment.ID != ""
}

// fedClient gives up on a request to a killed process.
var fedClient = &http.Client{Timeout: 20 * time.Second}

// signUp makes an account on n and returns its token.
func (n *fedNode) signUp(t testing.TB, username string) string {
	t.Helper()
	var up struct{ SignUp struct{ Token string } }
	mustGQL(t, n.base, "", `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
		map[string]any{"i": map[string]any{"email": username + "@example.org", "username": username, "password": "a long enough password"}}, &up)
	return up.SignUp.Token
}

// metric reads one sample of n's /metrics (0 when absent).
func (n *fedNode) metric(t testing.TB, line string) float64 {
	t.Helper()
	resp, err := http.Get(n.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, line+" "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f
		}
	}
	return 0
}

// eventually polls cond (state in another process, where there is no event to await) until
// it holds, failing with what() after the deadline.
func eventually(t testing.TB, within time.Duration, cond func() bool, what func() string) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal(what())
		}
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/postgres/postgrestest"
)

// freeAddr returns a loopback address whose port was free a moment ago: the public URL and
// the federation address of a test instance must be known before it starts.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// fedInstance is one `parley serve` with its own database, data directory (so its own
// embedded NATS) and federation listener.
type fedInstance struct {
	name string
	env  map[string]string
	base string
	logs *lockedBuffer
}

func startFedInstance(t testing.TB, name string) *fedInstance {
	t.Helper()
	dsn, drop, err := postgrestestCreate(t)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	t.Cleanup(func() { _ = drop() })
	addr := freeAddr(t)
	in := &fedInstance{name: name, env: map[string]string{
		"DATABASE_URL":           dsn,
		"PARLEY_ADDR":            addr,
		"PARLEY_PUBLIC_URL":      "http://" + addr,
		"PARLEY_DATA_DIR":        t.TempDir(),
		"PARLEY_INSTANCE":        name,
		"PARLEY_FEDERATION_ADDR": freeAddr(t),
		"PARLEY_SECRET_KEY":      "a secret of " + name + " long enough",
		"PARLEY_ADMIN_EMAIL":     "admin@" + name + ".example",
		"PARLEY_ADMIN_PASSWORD":  "correct horse battery",
		// The benchmark posts faster than a person.
		"PARLEY_MUTATIONS_PER_MINUTE":        "100000",
		"PARLEY_CLIENT_MUTATIONS_PER_MINUTE": "100000",
	}}
	in.logs = &lockedBuffer{}
	in.base = startServeLogging(t, in.env, in.logs)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log of %s:\n%s", name, in.logs.String())
		}
	})
	return in
}

// parley runs a subcommand with the instance's settings and returns what it printed.
func (in *fedInstance) parley(t testing.TB, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return in.env[k] }, &out, &errOut)
	return out.String() + errOut.String(), err
}

// adminToken signs in as the instance's administrator.
func (in *fedInstance) adminToken(t testing.TB) string {
	t.Helper()
	var out struct{ SignIn struct{ Token string } }
	mustGQL(t, in.base, "", `mutation($i: SignInInput!) { signIn(input: $i) { token } }`,
		map[string]any{"i": map[string]any{"login": in.env["PARLEY_ADMIN_EMAIL"], "password": in.env["PARLEY_ADMIN_PASSWORD"]}}, &out)
	return out.SignIn.Token
}

func TestPeerCommands(t *testing.T) {
	a, b := startFedInstance(t, "alpha"), startFedInstance(t, "beta")
	t.Run("adding a peer pins its key and waits for the other side", func(t *testing.T) {
		out, err := a.parley(t, "peer", "add", b.base)
		if err != nil || !strings.Contains(out, "Peer beta") || !strings.Contains(out, "SHA256:") || !strings.Contains(out, "PENDING") {
			t.Fatalf("peer add = %q, %v", out, err)
		}
	})
	t.Run("the other side adding back makes the link active", func(t *testing.T) {
		out, err := b.parley(t, "peer", "add", a.base)
		if err != nil || !strings.Contains(out, "ACTIVE") {
			t.Fatalf("peer add = %q, %v", out, err)
		}
		out, err = a.parley(t, "peer", "list")
		if err != nil || !strings.Contains(out, "beta") || !strings.Contains(out, "ACTIVE") {
			t.Fatalf("peer list = %q, %v", out, err)
		}
	})
	t.Run("nats-config prints an external NATS's accounts and leaf nodes with the peer's credentials", func(t *testing.T) {
		out, err := a.parley(t, "peer", "nats-config")
		for _, want := range []string{"TO_beta {", `user: "peer-beta", password: "$2`, "PEER_beta {",
			"nats-leaf://peer-alpha:", "@" + b.env["PARLEY_FEDERATION_ADDR"] + `", account: PEER_beta`} {
			if err != nil || !strings.Contains(out, want) {
				t.Fatalf("peer nats-config = %q, %v; want %q in it", out, err, want)
			}
		}
	})
	t.Run("the API shows the instance and its peers to an admin", func(t *testing.T) {
		var out struct {
			Instance struct{ Name, FederationAddress string }
			Peers    []struct{ Name, State, Fingerprint string }
		}
		mustGQL(t, a.base, a.adminToken(t), `{ instance { name federationAddress } peers { name state fingerprint } }`, nil, &out)
		if out.Instance.Name != "alpha" || out.Instance.FederationAddress != a.env["PARLEY_FEDERATION_ADDR"] ||
			len(out.Peers) != 1 || out.Peers[0].Name != "beta" || out.Peers[0].State != "ACTIVE" {
			t.Fatalf("answer = %+v", out)
		}
	})
	t.Run("bad invocations are refused", func(t *testing.T) {
		for _, args := range [][]string{{"peer"}, {"peer", "frob"}, {"peer", "add"}, {"peer", "remove", "nobody"}, {"peer", "add", "ftp://x"}, {"peer", "nats-config", "x"}} {
			if out, err := a.parley(t, args...); err == nil {
				t.Errorf("%v succeeded: %q", args, out)
			}
		}
	})
	t.Run("removing a peer forgets it", func(t *testing.T) {
		out, err := a.parley(t, "peer", "remove", "beta")
		if err != nil || !strings.Contains(out, "removed") {
			t.Fatalf("peer remove = %q, %v", out, err)
		}
		if out, _ := a.parley(t, "peer", "list"); strings.Contains(out, "beta") {
			t.Fatalf("peer list after remove = %q", out)
		}
	})
}

// postgrestestCreate makes a database of the test's own.
func postgrestestCreate(t testing.TB) (string, func() error, error) {
	t.Helper()
	return postgrestest.CreateDatabase(context.Background())
}

// gqlErrors posts an operation and returns its errors' messages, for answers that must fail.
func gqlErrors(t *testing.T, base, token, query string, vars map[string]any) []string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var answer struct{ Errors []struct{ Message string } }
	if err := json.NewDecoder(res.Body).Decode(&answer); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range answer.Errors {
		out = append(out, e.Message)
	}
	return out
}

type threadComment struct {
	ID      string
	Body    string
	Status  string
	Replies struct {
		Edges []struct {
			Node struct {
				Body   string
				Author *struct{ Username string }
			}
		}
	}
	Author *struct {
		Username string
		Instance *string
	}
}

// thread reads the published comments of the story at url on an instance.
func (in *fedInstance) thread(t testing.TB, url string) []threadComment {
	t.Helper()
	var out struct {
		Story struct {
			Comments struct {
				Edges []struct{ Node threadComment }
			}
		}
	}
	mustGQL(t, in.base, "", `query($u: String!) { story(url: $u) { comments(first: 50) { edges { node { id body status author { username instance }
			replies(first: 10) { edges { node { body author { username } } } } } } } } }`,
		map[string]any{"u": url}, &out)
	var cs []threadComment
	for _, e := range out.Story.Comments.Edges {
		cs = append(cs, e.Node)
	}
	return cs
}

func TestSharedStoryAcrossInstances(t *testing.T) {
	a, b := startFedInstance(t, "alpha"), startFedInstance(t, "beta")
	aAdmin, bAdmin := a.adminToken(t), b.adminToken(t)
	if out, err := a.parley(t, "peer", "add", b.base); err != nil {
		t.Fatalf("peer add: %q, %v", out, err)
	}
	var added struct{ AddPeer struct{ State string } }
	mustGQL(t, b.base, bAdmin, `mutation($u: String!) { addPeer(input: {url: $u}) { state } }`, map[string]any{"u": a.base}, &added)
	if added.AddPeer.State != "ACTIVE" {
		t.Fatalf("beta's link to alpha is %s", added.AddPeer.State)
	}
	// Both newsrooms publish the same syndicated article; each has a site for its origin.
	const article = "https://news.example/syndicated/1"
	sites := map[*fedInstance]string{}
	for in, token := range map[*fedInstance]string{a: aAdmin, b: bAdmin} {
		var s struct{ CreateSite struct{ ID string } }
		mustGQL(t, in.base, token, `mutation { createSite(input: {name: "News", allowedOrigins: ["https://news.example"]}) { id } }`, nil, &s)
		sites[in] = s.CreateSite.ID
	}
	mustGQL(t, b.base, bAdmin, `mutation($s: ID!) { setWordList(input: {siteID: $s, kind: BANNED, terms: "forbidden"}) { version } }`,
		map[string]any{"s": sites[b]}, nil)
	var story struct{ Story struct{ ID string } }
	mustGQL(t, a.base, "", `query($u: String!) { story(url: $u) { id } }`, map[string]any{"u": article}, &story)
	var peers struct {
		Peers []struct{ ID, Name, State string }
	}
	mustGQL(t, a.base, aAdmin, `{ peers { id name state } }`, nil, &peers)
	if len(peers.Peers) != 1 || peers.Peers[0].State != "ACTIVE" {
		t.Fatalf("alpha's peers: %+v", peers.Peers)
	}
	mustGQL(t, a.base, aAdmin, `mutation($s: ID!, $p: ID!) { shareStory(input: {storyID: $s, peerIDs: [$p]}) { id } }`,
		map[string]any{"s": story.Story.ID, "p": peers.Peers[0].ID}, nil)

	// Beta's NATS holds its leaf connection to alpha before alpha posts, so that the
	// envelopes flow live (what the link misses is caught up within CatchUpInterval).
	b.awaitLeafs(t)
	var up struct{ SignUp struct{ Token string } }
	mustGQL(t, a.base, "", `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
		map[string]any{"i": map[string]any{"email": "ann@example.org", "username": "ann", "password": "a long enough password"}}, &up)
	for _, body := range []string{"This is forbidden talk.", "Hello from alpha."} {
		mustGQL(t, a.base, up.SignUp.Token, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
			map[string]any{"i": map[string]any{"storyID": story.Story.ID, "body": body}}, nil)
	}

	var onB []threadComment
	for deadline := time.Now().Add(30 * time.Second); ; {
		onB = b.thread(t, article)
		if slices.ContainsFunc(onB, func(c threadComment) bool { return strings.Contains(c.Body, "Hello from alpha") }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("alpha's comment never reached beta; beta shows %+v", onB)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Run("a comment on alpha appears on beta as username@instance", func(t *testing.T) {
		if len(onB) != 1 || onB[0].Author == nil || onB[0].Author.Username != "ann@alpha" ||
			onB[0].Author.Instance == nil || *onB[0].Author.Instance != "alpha" {
			t.Fatalf("beta shows %+v", onB)
		}
	})
	t.Run("a comment beta's word list bans is not shown on beta but stays on alpha", func(t *testing.T) {
		// Envelopes are applied in order: the banned one came first and was decided already.
		onA := a.thread(t, article)
		if len(onA) != 2 {
			t.Fatalf("alpha shows %+v", onA)
		}
		for _, c := range onB {
			if strings.Contains(c.Body, "forbidden") {
				t.Fatalf("beta shows the banned comment: %+v", c)
			}
		}
	})
	t.Run("alpha's own users have no instance", func(t *testing.T) {
		onA := a.thread(t, article)
		for _, c := range onA {
			if c.Author == nil || c.Author.Instance != nil || c.Author.Username != "ann" {
				t.Fatalf("alpha shows %+v", c)
			}
		}
	})
	t.Run("the remote author is no account on beta", func(t *testing.T) {
		for _, pw := range []string{"", "a long enough password"} {
			errs := gqlErrors(t, b.base, "", `mutation($i: SignInInput!) { signIn(input: $i) { token } }`,
				map[string]any{"i": map[string]any{"login": "ann@alpha", "password": pw}})
			if len(errs) == 0 {
				t.Fatalf("signing in as ann@alpha on beta with %q succeeded", pw)
			}
		}
	})
	t.Run("beta counts what alpha sent", func(t *testing.T) {
		var p struct {
			Peers []struct{ Received, Rejected, Lag int }
		}
		mustGQL(t, b.base, bAdmin, `{ peers { received rejected lag } }`, nil, &p)
		// Both envelopes were applied; the last one's ack may still be on its way.
		if len(p.Peers) != 1 || p.Peers[0].Received != 2 || p.Peers[0].Rejected != 0 || p.Peers[0].Lag < 0 || p.Peers[0].Lag > 1 {
			t.Fatalf("beta's record of alpha: %+v", p.Peers)
		}
	})
	t.Run("a reply on beta reaches alpha, an edit and a deletion on alpha reach beta", func(t *testing.T) {
		// Beta shares its copy of the story back with alpha.
		var bStory struct{ Story struct{ ID string } }
		mustGQL(t, b.base, "", `query($u: String!) { story(url: $u) { id } }`, map[string]any{"u": article}, &bStory)
		var bPeers struct{ Peers []struct{ ID string } }
		mustGQL(t, b.base, bAdmin, `{ peers { id } }`, nil, &bPeers)
		mustGQL(t, b.base, bAdmin, `mutation($s: ID!, $p: ID!) { shareStory(input: {storyID: $s, peerIDs: [$p]}) { id } }`,
			map[string]any{"s": bStory.Story.ID, "p": bPeers.Peers[0].ID}, nil)
		var bob struct{ SignUp struct{ Token string } }
		mustGQL(t, b.base, "", `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
			map[string]any{"i": map[string]any{"email": "bob@example.org", "username": "bob", "password": "a long enough password"}}, &bob)
		mustGQL(t, b.base, bob.SignUp.Token, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
			map[string]any{"i": map[string]any{"storyID": bStory.Story.ID, "parentID": onB[0].ID, "body": "Reply from beta."}}, nil)
		hello := func(cs []threadComment) *threadComment {
			for i := range cs {
				if strings.Contains(cs[i].Body, "Hello from alpha") || cs[i].Status == "DELETED" {
					return &cs[i]
				}
			}
			return nil
		}
		await := func(what string, in *fedInstance, ok func(c *threadComment) bool) {
			t.Helper()
			for deadline := time.Now().Add(30 * time.Second); ; {
				cs := in.thread(t, article)
				if c := hello(cs); c != nil && ok(c) {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: %s shows %+v", what, in.name, cs)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		await("the reply", a, func(c *threadComment) bool {
			r := c.Replies.Edges
			return len(r) == 1 && strings.Contains(r[0].Node.Body, "Reply from beta") && r[0].Node.Author != nil && r[0].Node.Author.Username == "bob@beta"
		})
		onA := hello(a.thread(t, article))
		mustGQL(t, a.base, up.SignUp.Token, `mutation($id: ID!) { editComment(input: {commentID: $id, body: "Hello from alpha, edited."}) { comment { id } } }`,
			map[string]any{"id": onA.ID}, nil)
		await("the edit", b, func(c *threadComment) bool { return strings.Contains(c.Body, "edited") })
		mustGQL(t, a.base, up.SignUp.Token, `mutation($id: ID!) { deleteComment(input: {commentID: $id}) { comment { id } } }`,
			map[string]any{"id": onA.ID}, nil)
		await("the deletion", b, func(c *threadComment) bool { return c.Status == "DELETED" && c.Body == "" })
	})
	t.Run("defederating with hideContent hides alpha's comments on beta", func(t *testing.T) {
		shown := func(cs []threadComment) bool {
			for _, c := range cs {
				if c.Status == "PUBLISHED" && c.Author != nil && c.Author.Instance != nil && *c.Author.Instance == "alpha" {
					return true
				}
			}
			return false
		}
		// A published comment of alpha's on beta to hide: the earlier one was deleted.
		mustGQL(t, a.base, up.SignUp.Token, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
			map[string]any{"i": map[string]any{"storyID": story.Story.ID, "body": "Still here."}}, nil)
		for deadline := time.Now().Add(30 * time.Second); !shown(b.thread(t, article)); {
			if time.Now().After(deadline) {
				t.Fatal("alpha's last comment never reached beta")
			}
			time.Sleep(100 * time.Millisecond)
		}
		var p struct{ Peers []struct{ ID string } }
		mustGQL(t, b.base, bAdmin, `{ peers { id } }`, nil, &p)
		var d struct{ Defederate struct{ State string } }
		mustGQL(t, b.base, bAdmin, `mutation($p: ID!) { defederate(input: {peerID: $p, purgeBacklog: true, hideContent: true}) { state } }`,
			map[string]any{"p": p.Peers[0].ID}, &d)
		if d.Defederate.State != "DEFEDERATED" {
			t.Fatalf("state %s", d.Defederate.State)
		}
		// Anonymous reads are cached until the decisions' events reach the cache.
		for deadline := time.Now().Add(30 * time.Second); ; {
			onB := b.thread(t, article)
			if !shown(onB) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("beta still shows %+v", onB)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if onA := a.thread(t, article); len(onA) != 3 {
			t.Fatalf("alpha shows %+v", onA)
		}
	})
}

func TestKeyCommands(t *testing.T) {
	dsn, drop, err := postgrestestCreate(t)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	t.Cleanup(func() { _ = drop() })
	in := &fedInstance{name: "alpha", env: map[string]string{"DATABASE_URL": dsn, "PARLEY_INSTANCE": "alpha",
		"PARLEY_SECRET_KEY": "a secret of alpha long enough"}}
	out, err := in.parley(t, "key", "list")
	if err != nil || strings.Count(out, "SHA256:") != 1 || !strings.Contains(out, "true") {
		t.Fatalf("key list = %q, %v", out, err)
	}
	first := strings.Fields(strings.Split(out, "\n")[1])[0]
	t.Run("rotation adds a key that signs later", func(t *testing.T) {
		out, err := in.parley(t, "key", "rotate", "--overlap", "48h")
		if err != nil || !strings.Contains(out, "signs from") {
			t.Fatalf("key rotate = %q, %v", out, err)
		}
		out, _ = in.parley(t, "key", "list")
		if strings.Count(out, "SHA256:") != 2 {
			t.Fatalf("key list = %q", out)
		}
	})
	t.Run("revocation ends a key", func(t *testing.T) {
		if out, err := in.parley(t, "key", "revoke", first); err != nil || !strings.Contains(out, "revoked") {
			t.Fatalf("key revoke = %q, %v", out, err)
		}
		out, _ := in.parley(t, "key", "list")
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, first) && strings.HasSuffix(strings.TrimSpace(line), "-") {
				t.Fatalf("key %s not shown revoked: %q", first, line)
			}
		}
	})
	t.Run("a wrong secret is refused", func(t *testing.T) {
		in.env["PARLEY_SECRET_KEY"] = "another secret, also long"
		if out, err := in.parley(t, "key", "list"); err == nil || !strings.Contains(err.Error(), "PARLEY_SECRET_KEY") {
			t.Fatalf("key list with a wrong secret = %q, %v", out, err)
		}
	})
	t.Run("bad invocations are refused", func(t *testing.T) {
		for _, args := range [][]string{{"key"}, {"key", "frob"}, {"key", "revoke"}, {"key", "revoke", "0000000000000000"}} {
			if out, err := in.parley(t, args...); err == nil {
				t.Errorf("%v succeeded: %q", args, out)
			}
		}
	})
}

package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/postgres/postgrestest"
)

// freeAddr returns a loopback address whose port was free a moment ago: the public URL and
// the federation address of a test instance must be known before it starts.
func freeAddr(t *testing.T) string {
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
}

func startFedInstance(t *testing.T, name string) *fedInstance {
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
	}}
	in.base = startServe(t, in.env)
	return in
}

// parley runs a subcommand with the instance's settings and returns what it printed.
func (in *fedInstance) parley(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return in.env[k] }, &out, &errOut)
	return out.String() + errOut.String(), err
}

// adminToken signs in as the instance's administrator.
func (in *fedInstance) adminToken(t *testing.T) string {
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
		for _, args := range [][]string{{"peer"}, {"peer", "frob"}, {"peer", "add"}, {"peer", "remove", "nobody"}, {"peer", "add", "ftp://x"}} {
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
func postgrestestCreate(t *testing.T) (string, func() error, error) {
	t.Helper()
	return postgrestest.CreateDatabase(context.Background())
}

package nats_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleyhq/parley/nats"
)

// MustFreeAddr returns a loopback address with a port free at the time of the call.
func MustFreeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// MustFederated starts an embedded server of instance name with a federation listener.
func MustFederated(tb testing.TB, name string) (*nats.Embedded, string, jetstream.JetStream, *natsgo.Conn) {
	tb.Helper()
	addr := MustFreeAddr(tb)
	emb, err := nats.StartEmbedded(nats.EmbeddedOptions{StoreDir: tb.TempDir(), ServerName: name,
		Federation: &nats.FederationOptions{Instance: name, Listen: addr}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(emb.Shutdown)
	nc, err := emb.Connect()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	js, err := nats.NewJetStream(nc)
	if err != nil {
		tb.Fatal(err)
	}
	return emb, addr, js, nc
}

func TestFederationLeafNodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, alphaAddr, alphaJS, alphaNC := MustFederated(t, "alpha")
	beta, _, betaJS, betaNC := MustFederated(t, "beta")
	if _, err := nats.EnsureStream(ctx, betaJS, nats.StreamConfig{}); err != nil {
		t.Fatal(err)
	}
	if _, err := betaJS.CreateStream(ctx, jetstream.StreamConfig{Name: "IN_alpha", Subjects: []string{"fed.alpha.>"}}); err != nil {
		t.Fatal(err)
	}
	if err := beta.SetFederationPeers(map[string]string{"alpha": alphaAddr}); err != nil {
		t.Fatal(err)
	}
	local, err := betaNC.SubscribeSync("parley.>")
	if err != nil {
		t.Fatal(err)
	}
	otherFed, err := betaNC.SubscribeSync("fed.beta.>")
	if err != nil {
		t.Fatal(err)
	}
	// The leaf connection comes up asynchronously: alpha publishes until beta's inbound
	// stream has the message, with a forgery on beta's own subjects alongside each.
	in, err := betaJS.Stream(ctx, "IN_alpha")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if err := alphaNC.Publish("fed.alpha.comment.created", []byte("signed envelope")); err != nil {
			t.Fatal(err)
		}
		_ = alphaNC.Publish("parley.beta.comment.created.s.t", []byte("forged local event"))
		_ = alphaNC.Publish("fed.beta.comment.created", []byte("forged federation message"))
		info, err := in.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs > 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("nothing reached beta's inbound stream; leaf connections: %d", beta.LeafConnections())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Run("the peer's federation subjects reach the inbound stream", func(t *testing.T) {
		msg, err := in.GetLastMsgForSubject(ctx, "fed.alpha.>")
		if err != nil || string(msg.Data) != "signed envelope" {
			t.Fatalf("last message %v, %v", msg, err)
		}
	})
	t.Run("the peer cannot publish into local subjects", func(t *testing.T) {
		// Both forgeries were sent before the message that arrived, on the same connection.
		if m, err := local.NextMsg(200 * time.Millisecond); err == nil {
			t.Fatalf("a peer's message reached %s", m.Subject)
		}
		if m, err := otherFed.NextMsg(200 * time.Millisecond); err == nil {
			t.Fatalf("a peer's message reached %s", m.Subject)
		}
	})
	t.Run("the local event stream still works after the reload", func(t *testing.T) {
		if _, err := betaJS.Publish(ctx, "parley.beta.comment.created.s.t", []byte("{}")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("removing the peer closes its subjects", func(t *testing.T) {
		if err := beta.SetFederationPeers(nil); err != nil {
			t.Fatal(err)
		}
		if got := beta.FederationPeers(); len(got) != 0 {
			t.Fatalf("peers = %v", got)
		}
	})
	_ = alphaJS
}

// A hostile peer runs its own NATS server, configured to send everything it has over the
// leaf connection; beta still sees only fed.<peer>.> in its own account.
func TestFederationHostilePeer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hostileAddr := MustFreeAddr(t)
	host, port, _ := net.SplitHostPort(hostileAddr)
	p, _ := strconv.Atoi(port)
	hostile, err := server.NewServer(&server.Options{ServerName: "mallory", DontListen: true, NoSigs: true,
		LeafNode: server.LeafNodeOpts{Host: host, Port: p}})
	if err != nil {
		t.Fatal(err)
	}
	go hostile.Start()
	if !hostile.ReadyForConnections(5 * time.Second) {
		t.Fatal("hostile server did not start")
	}
	defer hostile.Shutdown()
	hnc, err := natsgo.Connect("", natsgo.InProcessServer(hostile))
	if err != nil {
		t.Fatal(err)
	}
	defer hnc.Close()
	beta, _, betaJS, betaNC := MustFederated(t, "beta")
	if _, err := betaJS.CreateStream(ctx, jetstream.StreamConfig{Name: "IN_mallory", Subjects: []string{"fed.mallory.>"}}); err != nil {
		t.Fatal(err)
	}
	if err := beta.SetFederationPeers(map[string]string{"mallory": hostileAddr}); err != nil {
		t.Fatal(err)
	}
	forged := make(chan *natsgo.Msg, 100)
	for _, subj := range []string{"parley.>", "fed.gamma.>", "fed.beta.>"} {
		if _, err := betaNC.ChanSubscribe(subj, forged); err != nil {
			t.Fatal(err)
		}
	}
	in, _ := betaJS.Stream(ctx, "IN_mallory")
	for {
		for _, subj := range []string{"parley.beta.comment.created.s.t", "fed.gamma.comment.created", "$JS.API.STREAM.DELETE.IN_mallory", "fed.beta.x"} {
			_ = hnc.Publish(subj, []byte("forged"))
		}
		_ = hnc.Publish("fed.mallory.comment.created", []byte("own"))
		if info, err := in.Info(ctx); err == nil && info.State.Msgs > 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("nothing of mallory's own arrived; leaf connections %d", beta.LeafConnections())
		case <-time.After(50 * time.Millisecond):
		}
	}
	// Every forgery was sent before mallory's own message arrived, on the same connection.
	if err := betaNC.Flush(); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-forged:
		t.Fatalf("a hostile peer's message reached beta's account on %s", m.Subject)
	default:
	}
	if _, err := betaJS.Stream(ctx, "IN_mallory"); err != nil {
		t.Fatalf("the inbound stream is gone: %v", err)
	}
}

func TestFederationConfigRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    nats.FederationOptions
		want string
	}{
		{"a bad listen address", nats.FederationOptions{Instance: "alpha", Listen: "nope"}, "PARLEY_FEDERATION_ADDR"},
		{"a bad instance name", nats.FederationOptions{Instance: "Alpha!", Listen: ":7422"}, "instance"},
		{"a peer address that would break the configuration", nats.FederationOptions{Instance: "alpha", Listen: ":7422", Peers: map[string]string{"beta": "x\"}:1"}}, "not host:port"},
		{"a peer named like us", nats.FederationOptions{Instance: "alpha", Listen: ":7422", Peers: map[string]string{"alpha": "a:1"}}, "not usable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := nats.FederationConfig(tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want %q", err, tc.want)
			}
		})
	}
}

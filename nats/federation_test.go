package nats_test

import (
	"context"
	"fmt"
	"net"
	neturl "net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/crypto/bcrypt"

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

// MustHash is the bcrypt hash of a leaf password, as a peer sends it at peering.
func MustHash(tb testing.TB, password string) string {
	tb.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		tb.Fatal(err)
	}
	return string(h)
}

// logWatch is a server logger that tells when a line containing a word is logged.
type logWatch struct {
	word string
	seen chan string
}

func (l *logWatch) line(format string, v ...any) {
	if s := fmt.Sprintf(format, v...); strings.Contains(s, l.word) {
		select {
		case l.seen <- s:
		default:
		}
	}
}
func (l *logWatch) Noticef(format string, v ...any) { l.line(format, v...) }
func (l *logWatch) Warnf(format string, v ...any)   { l.line(format, v...) }
func (l *logWatch) Fatalf(format string, v ...any)  { l.line(format, v...) }
func (l *logWatch) Errorf(format string, v ...any)  { l.line(format, v...) }
func (l *logWatch) Debugf(format string, v ...any)  { l.line(format, v...) }
func (l *logWatch) Tracef(format string, v ...any)  { l.line(format, v...) }

// MustBareLeaf starts a plain NATS server (no Parley) with one leaf remote to url, and a
// connection to it: what a peer's, or an impostor's, server sees of ours.
func MustBareLeaf(tb testing.TB, url string, watch *logWatch) *natsgo.Conn {
	tb.Helper()
	u, err := neturl.Parse(url)
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := server.NewServer(&server.Options{ServerName: "bare", DontListen: true, NoSigs: true,
		LeafNode: server.LeafNodeOpts{ReconnectInterval: 50 * time.Millisecond, Remotes: []*server.RemoteLeafOpts{{URLs: []*neturl.URL{u}}}}})
	if err != nil {
		tb.Fatal(err)
	}
	if watch != nil {
		srv.SetLoggerV2(watch, true, false, false)
	}
	go srv.Start()
	if !srv.ReadyForConnections(5 * time.Second) {
		tb.Fatal("bare server did not start")
	}
	tb.Cleanup(srv.Shutdown)
	nc, err := natsgo.Connect("", natsgo.InProcessServer(srv))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	return nc
}

func TestFederationLeafNodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	alpha, alphaAddr, alphaJS, alphaNC := MustFederated(t, "alpha")
	beta, _, betaJS, betaNC := MustFederated(t, "beta")
	if _, err := nats.EnsureStream(ctx, betaJS, nats.StreamConfig{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"beta", "gamma"} {
		if _, err := alphaJS.CreateStream(ctx, jetstream.StreamConfig{Name: nats.PeerStream(p), Subjects: []string{"fed.alpha." + p + ".>"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := betaJS.CreateStream(ctx, jetstream.StreamConfig{Name: "IN_alpha", Subjects: []string{"fed.alpha.beta.>"}}); err != nil {
		t.Fatal(err)
	}
	const betaSecret = "beta-leaf-password"
	if err := alpha.SetFederationPeers(map[string]nats.FederationPeer{
		"beta":  {Hash: MustHash(t, betaSecret)},
		"gamma": {Hash: MustHash(t, "gamma-leaf-password")},
	}); err != nil {
		t.Fatal(err)
	}
	if err := beta.SetFederationPeers(map[string]nats.FederationPeer{"alpha": {Address: alphaAddr, Secret: betaSecret}}); err != nil {
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
		if _, err := alphaJS.Publish(ctx, "fed.alpha.beta.comment.created", []byte("signed envelope")); err != nil {
			t.Fatal(err)
		}
		_ = alphaNC.Publish("parley.beta.comment.created.s.t", []byte("forged local event"))
		_ = alphaNC.Publish("fed.beta.alpha.comment.created", []byte("forged federation message"))
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
		msg, err := in.GetLastMsgForSubject(ctx, "fed.alpha.beta.>")
		if err != nil || string(msg.Data) != "signed envelope" {
			t.Fatalf("last message %v, %v", msg, err)
		}
		if got := alpha.AcceptedPeers(); len(got) != 1 || got[0] != "beta" {
			t.Fatalf("alpha let in %v", got)
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
	t.Run("a peer's credentials read only what is addressed to it", func(t *testing.T) {
		// A server of beta's own, signed in with beta's password, listens to everything
		// that crosses; alpha sends to gamma, then to beta.
		spy := MustBareLeaf(t, "nats-leaf://peer-beta:"+betaSecret+"@"+alphaAddr, nil)
		all, err := spy.SubscribeSync(">")
		if err != nil {
			t.Fatal(err)
		}
		if err := spy.Flush(); err != nil {
			t.Fatal(err)
		}
		for i := 0; ; i++ {
			if _, err := alphaJS.Publish(ctx, "fed.alpha.gamma.comment.created", []byte("for gamma")); err != nil {
				t.Fatal(err)
			}
			if _, err := alphaJS.Publish(ctx, "fed.alpha.beta.comment.created", []byte("for beta")); err != nil {
				t.Fatal(err)
			}
			m, err := all.NextMsg(100 * time.Millisecond)
			if err != nil {
				if ctx.Err() != nil {
					t.Fatal("nothing reached the spy")
				}
				continue
			}
			if m.Subject != "fed.alpha.beta.comment.created" {
				t.Fatalf("beta's credentials read %s", m.Subject)
			}
			break
		}
	})
	t.Run("a wrong password is refused", func(t *testing.T) {
		watch := &logWatch{word: "Authorization Violation", seen: make(chan string, 1)}
		MustBareLeaf(t, "nats-leaf://peer-beta:guessed@"+alphaAddr, watch)
		select {
		case <-watch.seen:
		case <-ctx.Done():
			t.Fatal("a leaf connection with a wrong password was not refused")
		}
		watch = &logWatch{word: "Authorization Violation", seen: make(chan string, 1)}
		MustBareLeaf(t, "nats-leaf://"+alphaAddr, watch)
		select {
		case <-watch.seen:
		case <-ctx.Done():
			t.Fatal("a leaf connection without credentials was not refused")
		}
	})
	t.Run("removing the peer disconnects it at once and refuses it after", func(t *testing.T) {
		watch := &logWatch{word: "Authorization Violation", seen: make(chan string, 1)}
		MustBareLeaf(t, "nats-leaf://peer-gamma:gamma-leaf-password@"+alphaAddr, watch)
		for !contains(alpha.AcceptedPeers(), "gamma") {
			select {
			case <-ctx.Done():
				t.Fatalf("gamma not let in: %v", alpha.AcceptedPeers())
			case <-time.After(20 * time.Millisecond):
			}
		}
		if err := alpha.SetFederationPeers(map[string]nats.FederationPeer{"beta": {Hash: MustHash(t, betaSecret)}}); err != nil {
			t.Fatal(err)
		}
		if got := alpha.AcceptedPeers(); contains(got, "gamma") {
			t.Fatalf("gamma still connected after its removal: %v", got)
		}
		select {
		case <-watch.seen:
		case <-ctx.Done():
			t.Fatal("gamma's reconnection was not refused")
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
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// A hostile peer runs its own NATS server, configured to send everything it has over the
// leaf connection; beta still sees only fed.<peer>.beta.> in its own account.
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
	if err := beta.SetFederationPeers(map[string]nats.FederationPeer{"mallory": {Address: hostileAddr, Secret: "s3cret"}}); err != nil {
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
		for _, subj := range []string{"parley.beta.comment.created.s.t", "fed.gamma.beta.comment.created", "$JS.API.STREAM.DELETE.IN_mallory", "fed.beta.x", "fed.mallory.gamma.x"} {
			_ = hnc.Publish(subj, []byte("forged"))
		}
		_ = hnc.Publish("fed.mallory.beta.comment.created", []byte("own"))
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
	if m, err := in.GetLastMsgForSubject(ctx, "fed.mallory.gamma.x"); err == nil {
		t.Fatalf("mallory's inbound stream holds %s, addressed to gamma", m.Subject)
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
		{"a peer address that would break the configuration", nats.FederationOptions{Instance: "alpha", Listen: ":7422", Peers: map[string]nats.FederationPeer{"beta": {Address: "x\"}:1", Secret: "s"}}}, "not host:port"},
		{"a peer named like us", nats.FederationOptions{Instance: "alpha", Listen: ":7422", Peers: map[string]nats.FederationPeer{"alpha": {Address: "a:1", Secret: "s"}}}, "not usable"},
		{"a peer to connect to without a password", nats.FederationOptions{Instance: "alpha", Listen: ":7422", Peers: map[string]nats.FederationPeer{"beta": {Address: "a:1"}}}, "password"},
		{"a peer's hash that is not bcrypt", nats.FederationOptions{Instance: "alpha", Listen: ":7422", Peers: map[string]nats.FederationPeer{"beta": {Hash: "plain"}}}, "bcrypt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := nats.FederationConfig(tc.o, "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want %q", err, tc.want)
			}
		})
	}
}

// A peer let in by a reload (not at start) reads the stream kept for it with direct gets,
// signed in with its own password, and with nothing else.
func TestFederationCatchUpOfAPeerAddedLater(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	alpha, _, alphaJS, _ := MustFederated(t, "alpha")
	if err := alpha.SetFederationPeers(map[string]nats.FederationPeer{"beta": {Hash: MustHash(t, "pw")}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"beta", "gamma"} {
		if _, err := alphaJS.CreateStream(ctx, jetstream.StreamConfig{Name: nats.PeerStream(p), Subjects: []string{"fed.alpha." + p + ".>"}, AllowDirect: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := alphaJS.Publish(ctx, "fed.alpha."+p+".x", []byte("for "+p)); err != nil {
			t.Fatal(err)
		}
	}
	nc, err := alpha.Connect(natsgo.UserInfo("peer-beta", "pw"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	t.Run("the peer reads its own stream", func(t *testing.T) {
		m, err := nc.Request("fedget.alpha", []byte(`{"seq":1}`), 5*time.Second)
		if err != nil || string(m.Data) != "for beta" {
			t.Fatalf("answer %v, %v", m, err)
		}
	})
	t.Run("the peer reaches no other stream", func(t *testing.T) {
		for _, subj := range []string{"$JS.API.DIRECT.GET." + nats.PeerStream("gamma"), "$JS.API.STREAM.INFO." + nats.PeerStream("beta"), "fedget.gamma"} {
			// No answer, or JetStream's refusal in an account without it.
			if m, err := nc.Request(subj, []byte(`{"seq":1}`), 200*time.Millisecond); err == nil && !strings.Contains(string(m.Data), `"error"`) {
				t.Fatalf("%s answered %q", subj, m.Data)
			}
		}
	})
}

package nats

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
)

// Federation accounts of the embedded server. With federation on, the server has three
// kinds of account, so that a peer can never publish into this instance's subjects:
//
//   - AppAccount holds everything Parley does (the event stream, live updates, plug-ins,
//     the federation streams). In-process connections land in it (no_auth_user).
//   - FederationAccount is where peers' leaf-node connections land: it sees only
//     fed.<instance>.>, imported from AppAccount, and the read-only direct get of this
//     instance's outbound stream as fedget.<instance> (catch-up), and exports nothing back.
//   - PEER_<name> is the local end of the leaf connection to one peer: it exports only
//     fed.<name>.> to AppAccount, where the peer's inbound stream stores it, and the service
//     fedget.<name> through which AppAccount reads what the peer published while the link
//     was down. What the peer sends on any other subject stays in PEER_<name>.
const (
	AppAccount        = "APP"
	FederationAccount = "FEDERATION"
	// LeafUser and LeafPassword are what a peer's leaf connection presents. They are not a
	// secret (every peer knows them): isolation comes from the account they bind to, which
	// holds nothing but this instance's signed, public federation subjects.
	LeafUser     = "parley-peer"
	LeafPassword = "parley-peer"
	// FederationSubjectPrefix starts every federation subject: fed.<instance>.<kind>.
	FederationSubjectPrefix = "fed"
	// CatchUpSubjectPrefix starts the subject on which a peer reads this instance's
	// outbound stream from a sequence of its choosing (fedget.<instance>), so that what it
	// missed while offline reaches it. It is a JetStream direct get on that one stream,
	// read-only; federation.CatchUpSubject names the same subject.
	CatchUpSubjectPrefix = "fedget"
)

// outboundStream is the name federation.OutboundStream gives this instance's stream.
func outboundStream(instance string) string {
	return "FED_OUT_" + strings.NewReplacer(".", "_", "*", "_", ">", "_").Replace(instance)
}

// FederationOptions turn on federation in the embedded server.
type FederationOptions struct {
	// Instance is this instance's name: it publishes on fed.<Instance>.>.
	Instance string
	// Listen is PARLEY_FEDERATION_ADDR, host:port of the leaf-node listener peers connect
	// to. Unlike the client listener it may be any address: a peer lands in an account that
	// can only read this instance's federation subjects.
	Listen string
	// Peers maps each active peer's instance name to its federation address (host:port);
	// the server keeps a leaf connection to each. SetFederationPeers changes it.
	Peers map[string]string
}

// peerName is what a peer name may be to become part of an account name.
var peerName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// federationConfig is the server configuration (nats-server's own format) of accounts,
// imports, exports and leaf nodes for o. The README shows the same for an external NATS.
func federationConfig(o FederationOptions, appPassword string) (string, error) {
	if err := ValidateInstance(o.Instance); err != nil {
		return "", err
	}
	host, port, err := net.SplitHostPort(o.Listen)
	if err != nil {
		return "", fmt.Errorf("PARLEY_FEDERATION_ADDR %q: %w", o.Listen, err)
	}
	if _, err := strconv.Atoi(port); err != nil {
		return "", fmt.Errorf("PARLEY_FEDERATION_ADDR %q: bad port", o.Listen)
	}
	if host == "" {
		host = "0.0.0.0"
	}
	names := make([]string, 0, len(o.Peers))
	for name, addr := range o.Peers {
		if !peerName.MatchString(name) || name == o.Instance {
			return "", fmt.Errorf("federation peer name %q is not usable", name)
		}
		if _, _, err := net.SplitHostPort(addr); err != nil || strings.ContainsAny(addr, "\"\\ \n{}[]") {
			return "", fmt.Errorf("federation address %q of peer %s: not host:port", addr, name)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	var b strings.Builder
	fmt.Fprintf(&b, "no_auth_user: app\naccounts {\n  %s {\n    jetstream: enabled\n", AppAccount)
	fmt.Fprintf(&b, "    users: [{user: app, password: %q}]\n", appPassword)
	// Besides its envelopes, the app account exports the direct get of its outbound stream
	// (read-only, that stream only) as a service with streamed responses: a batch of
	// messages answers one request.
	fmt.Fprintf(&b, "    exports: [{stream: \"fed.%s.>\", accounts: [%s]}, {service: \"$JS.API.DIRECT.GET.%s\", accounts: [%s], response_type: stream}]\n",
		o.Instance, FederationAccount, outboundStream(o.Instance), FederationAccount)
	if len(names) > 0 {
		b.WriteString("    imports: [\n")
		for _, p := range names {
			fmt.Fprintf(&b, "      {stream: {account: PEER_%s, subject: \"fed.%s.>\"}}\n", p, p)
			fmt.Fprintf(&b, "      {service: {account: PEER_%s, subject: \"%s.%s\"}}\n", p, CatchUpSubjectPrefix, p)
		}
		b.WriteString("    ]\n")
	}
	b.WriteString("  }\n")
	fmt.Fprintf(&b, "  %s { imports: [{stream: {account: %s, subject: \"fed.%s.>\"}}, {service: {account: %s, subject: \"$JS.API.DIRECT.GET.%s\"}, to: \"%s.%s\"}] }\n",
		FederationAccount, AppAccount, o.Instance, AppAccount, outboundStream(o.Instance), CatchUpSubjectPrefix, o.Instance)
	for _, p := range names {
		fmt.Fprintf(&b, "  PEER_%s { exports: [{stream: \"fed.%s.>\", accounts: [%s]}, {service: \"%s.%s\", accounts: [%s], response_type: stream}] }\n",
			p, p, AppAccount, CatchUpSubjectPrefix, p, AppAccount)
	}
	b.WriteString("}\n")
	fmt.Fprintf(&b, "leafnodes {\n  host: %q\n  port: %s\n", host, port)
	fmt.Fprintf(&b, "  authorization { user: %q, password: %q, account: %s }\n", LeafUser, LeafPassword, FederationAccount)
	if len(names) > 0 {
		b.WriteString("  remotes: [\n")
		for _, p := range names {
			fmt.Fprintf(&b, "    {url: \"nats-leaf://%s:%s@%s\", account: PEER_%s}\n", LeafUser, LeafPassword, o.Peers[p], p)
		}
		b.WriteString("  ]\n")
	}
	b.WriteString("}\n")
	return b.String(), nil
}

// FederationConfig returns the accounts and leaf-node configuration that the embedded
// server uses for o, for operators who run their own NATS (NATS_URL) to adapt.
func FederationConfig(o FederationOptions) (string, error) {
	return federationConfig(o, "<a password of your choice>")
}

// applyFederation fills sopts from the federation configuration.
func applyFederation(sopts *server.Options, o FederationOptions, appPassword string) error {
	conf, err := federationConfig(o, appPassword)
	if err != nil {
		return err
	}
	if err := sopts.ProcessConfigString(conf); err != nil {
		return fmt.Errorf("federation configuration: %w", err)
	}
	return nil
}

// SetFederationPeers changes the peers the server keeps leaf connections to, without a
// restart (a configuration reload): a new active peer gets its connection and its
// subjects, a removed one loses both. Streams and consumers are untouched.
func (e *Embedded) SetFederationPeers(peers map[string]string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fed == nil {
		return fmt.Errorf("federation is off: PARLEY_FEDERATION_ADDR is not set")
	}
	next := *e.fed
	next.Peers = peers
	sopts := e.baseOptions()
	if err := applyFederation(sopts, next, e.appPassword); err != nil {
		return err
	}
	if err := e.srv.ReloadOptions(sopts); err != nil {
		return fmt.Errorf("embedded NATS: federation peers: %w", err)
	}
	e.fed = &next
	return nil
}

// FederationPeers returns the peers the server keeps leaf connections to.
func (e *Embedded) FederationPeers() map[string]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fed == nil {
		return nil
	}
	return e.fed.Peers
}

// LeafConnections counts the leaf-node connections, both ways, for /readyz and tests.
func (e *Embedded) LeafConnections() int { return e.srv.NumLeafNodes() }

// ConnectedPeers returns the peers whose leaf connection from this server is up, so that
// /readyz can say which peers cannot be reached.
func (e *Embedded) ConnectedPeers() []string {
	lz, err := e.srv.Leafz(&server.LeafzOptions{})
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range lz.Leafs {
		if name, ok := strings.CutPrefix(l.Account, "PEER_"); ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

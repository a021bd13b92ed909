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

// Federation accounts of the embedded server. With federation on, every peer gets accounts
// of its own, so that a peer reads only what is addressed to it and can never publish into
// this instance's subjects:
//
//   - AppAccount holds everything Parley does (the event stream, live updates, plug-ins,
//     the federation streams). In-process connections sign in to it with a password only
//     the process knows.
//   - TO_<name> is where peer <name>'s leaf connection lands, signed in as peer-<name> with
//     the password that peer made for us at peering (we keep only its bcrypt hash). It sees
//     only fed.<instance>.<name>.>, imported from AppAccount, and the read-only direct get of
//     the one stream of envelopes for that peer as fedget.<instance> (catch-up). It exports
//     nothing back. Removing the peer removes the account and its user: the connection is
//     closed at once and a new one is refused.
//   - PEER_<name> is the local end of our leaf connection to peer <name>: it exports only
//     fed.<name>.<instance>.> to AppAccount, where the peer's inbound stream stores it, and
//     the service fedget.<name> through which AppAccount reads what the peer sent us while
//     the link was down. What the peer sends on any other subject stays in PEER_<name>.
const (
	AppAccount = "APP"
	// LeafUserPrefix starts the user a peer signs in as on our leaf listener:
	// peer-<its instance name>.
	LeafUserPrefix = "peer-"
	// FederationSubjectPrefix starts every federation subject: fed.<origin>.<to>.<kind>.
	FederationSubjectPrefix = "fed"
	// CatchUpSubjectPrefix starts the subject on which a peer reads the stream of what this
	// instance sent it, from a sequence of its choosing (fedget.<instance>), so that what it
	// missed while offline reaches it. It is a JetStream direct get on that one stream,
	// read-only; federation.CatchUpSubject names the same subject.
	CatchUpSubjectPrefix = "fedget"
)

// PeerStream is the name federation.PeerStream gives the stream of this instance's
// envelopes for one peer.
func PeerStream(peer string) string {
	return "FED_TO_" + strings.NewReplacer(".", "_", "*", "_", ">", "_").Replace(peer)
}

// FederationPeer is what the embedded server needs of one peer.
type FederationPeer struct {
	// Address is host:port of the peer's leaf listener; "" keeps no connection to it.
	Address string
	// Secret is the password this instance presents there (as peer-<instance>).
	Secret string
	// Hash is the bcrypt hash of the password the peer presents here; "" lets it not in.
	Hash string
}

// FederationOptions turn on federation in the embedded server.
type FederationOptions struct {
	// Instance is this instance's name: it publishes on fed.<Instance>.<peer>.>.
	Instance string
	// Listen is PARLEY_FEDERATION_ADDR, host:port of the leaf-node listener peers connect
	// to. Unlike the client listener it may be any address: only a peer with its own
	// password gets in, and only to an account that reads what is meant for it.
	Listen string
	// Peers maps each active peer's instance name to its address and credentials; the
	// server keeps a leaf connection to each and lets each in. SetFederationPeers changes it.
	Peers map[string]FederationPeer
}

// peerName is what a peer name may be to become part of an account name.
var peerName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// configSafe reports whether s can be written in a quoted configuration string as is.
func configSafe(s string) bool { return !strings.ContainsAny(s, "\"\\ \n\r\t{}[]$") }

// federationConfig is the server configuration (nats-server's own format) of accounts,
// imports, exports and leaf nodes for o. FederationConfig gives the same to an external NATS.
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
	var out, in []string // peers we connect to, peers we let in
	for name, p := range o.Peers {
		if !peerName.MatchString(name) || name == o.Instance {
			return "", fmt.Errorf("federation peer name %q is not usable", name)
		}
		if p.Address != "" {
			if _, _, err := net.SplitHostPort(p.Address); err != nil || !configSafe(p.Address) {
				return "", fmt.Errorf("federation address %q of peer %s: not host:port", p.Address, name)
			}
			if p.Secret == "" || !configSafe(p.Secret) || strings.ContainsAny(p.Secret, "@:/") {
				return "", fmt.Errorf("federation peer %s: no usable leaf password", name)
			}
			out = append(out, name)
		}
		if p.Hash != "" {
			if !strings.HasPrefix(p.Hash, "$2") || strings.ContainsAny(p.Hash, "\"\\ \n{}[]") {
				return "", fmt.Errorf("federation peer %s: its leaf password hash is not bcrypt", name)
			}
			in = append(in, name)
		}
	}
	slices.Sort(out)
	slices.Sort(in)
	self := o.Instance
	var b strings.Builder
	fmt.Fprintf(&b, "accounts {\n  %s {\n    jetstream: enabled\n", AppAccount)
	fmt.Fprintf(&b, "    users: [{user: app, password: %q}]\n", appPassword)
	if len(in) > 0 {
		// What is addressed to a peer, and the direct get of the stream that keeps it
		// (read-only, that stream only) as a service with streamed responses.
		b.WriteString("    exports: [\n")
		for _, p := range in {
			fmt.Fprintf(&b, "      {stream: \"fed.%s.%s.>\", accounts: [TO_%s]}\n", self, p, p)
			fmt.Fprintf(&b, "      {service: \"$JS.API.DIRECT.GET.%s\", accounts: [TO_%s], response_type: stream}\n", PeerStream(p), p)
		}
		b.WriteString("    ]\n")
	}
	if len(out) > 0 {
		b.WriteString("    imports: [\n")
		for _, p := range out {
			fmt.Fprintf(&b, "      {stream: {account: PEER_%s, subject: \"fed.%s.%s.>\"}}\n", p, p, self)
			fmt.Fprintf(&b, "      {service: {account: PEER_%s, subject: \"%s.%s\"}}\n", p, CatchUpSubjectPrefix, p)
		}
		b.WriteString("    ]\n")
	}
	b.WriteString("  }\n")
	for _, p := range in {
		// The hash is written with %q: its "$" are inside a quoted string, never a variable.
		fmt.Fprintf(&b, "  TO_%s {\n    users: [{user: %q, password: %q}]\n", p, LeafUserPrefix+p, o.Peers[p].Hash)
		fmt.Fprintf(&b, "    imports: [{stream: {account: %s, subject: \"fed.%s.%s.>\"}}, {service: {account: %s, subject: \"$JS.API.DIRECT.GET.%s\"}, to: \"%s.%s\"}]\n  }\n",
			AppAccount, self, p, AppAccount, PeerStream(p), CatchUpSubjectPrefix, self)
	}
	for _, p := range out {
		fmt.Fprintf(&b, "  PEER_%s { exports: [{stream: \"fed.%s.%s.>\", accounts: [%s]}, {service: \"%s.%s\", accounts: [%s], response_type: stream}] }\n",
			p, p, self, AppAccount, CatchUpSubjectPrefix, p, AppAccount)
	}
	b.WriteString("}\n")
	// No authorization block of its own: a leaf connection signs in as a user of the
	// accounts above, and there is no user without a password (no no_auth_user), so a
	// connection without credentials lands nowhere.
	fmt.Fprintf(&b, "leafnodes {\n  host: %q\n  port: %s\n", host, port)
	if len(out) > 0 {
		b.WriteString("  remotes: [\n")
		for _, p := range out {
			fmt.Fprintf(&b, "    {url: \"nats-leaf://%s%s:%s@%s\", account: PEER_%s}\n", LeafUserPrefix, self, o.Peers[p].Secret, o.Peers[p].Address, p)
		}
		b.WriteString("  ]\n")
	}
	b.WriteString("}\n")
	return b.String(), nil
}

// FederationConfig returns the accounts and leaf-node configuration that the embedded
// server uses for o, for operators who run their own NATS (NATS_URL): `parley peer
// nats-config` prints it with the peers' credentials. appPassword is the APP account's
// password (the one in NATS_URL); "" writes a placeholder to replace.
func FederationConfig(o FederationOptions, appPassword string) (string, error) {
	if appPassword == "" {
		return federationConfig(o, "<a password of your choice>")
	}
	if !configSafe(appPassword) {
		return "", fmt.Errorf("the APP account's password cannot be written in a NATS configuration as is")
	}
	return federationConfig(o, appPassword)
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

// SetFederationPeers changes the peers the server keeps leaf connections to and lets in,
// without a restart (a configuration reload): a new active peer gets its connection and its
// subjects, a removed one loses both, and a peer no longer let in (or whose password
// changed) is disconnected at once. Streams and consumers are untouched.
func (e *Embedded) SetFederationPeers(peers map[string]FederationPeer) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fed == nil {
		return fmt.Errorf("federation is off: PARLEY_FEDERATION_ADDR is not set")
	}
	next := *e.fed
	next.Peers = peers
	prev := e.fed.Peers
	// nats-server sets up the service imports of an account only at start or when a
	// reload finds the account already there: an account new in a reload (a new peer's
	// TO_<name>, whose catch-up is a service import) gets them from a second reload.
	reloads := 1
	for name, p := range peers {
		if p.Hash != "" && prev[name].Hash == "" {
			reloads = 2
		}
	}
	for range reloads {
		sopts := e.baseOptions()
		if err := applyFederation(sopts, next, e.appPassword); err != nil {
			return err
		}
		if err := e.srv.ReloadOptions(sopts); err != nil {
			return fmt.Errorf("embedded NATS: federation peers: %w", err)
		}
	}
	e.fed = &next
	// A reload checks the credentials of clients, not of accepted leaf connections: those
	// of a peer no longer let in are closed here, and their reconnection fails to sign in.
	lz, err := e.srv.Leafz(&server.LeafzOptions{})
	if err != nil {
		return nil
	}
	for _, l := range lz.Leafs {
		name, ok := strings.CutPrefix(l.Account, "TO_")
		if !ok {
			continue
		}
		if now, ok := peers[name]; !ok || now.Hash == "" || now.Hash != prev[name].Hash {
			_ = e.srv.DisconnectClientByID(l.ID)
		}
	}
	return nil
}

// FederationPeers returns the peers the server keeps leaf connections to.
func (e *Embedded) FederationPeers() map[string]FederationPeer {
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
func (e *Embedded) ConnectedPeers() []string { return e.leafPeers("PEER_") }

// AcceptedPeers returns the peers whose leaf connection to this server is up: those that
// read what this instance sends them.
func (e *Embedded) AcceptedPeers() []string { return e.leafPeers("TO_") }

func (e *Embedded) leafPeers(prefix string) []string {
	lz, err := e.srv.Leafz(&server.LeafzOptions{})
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range lz.Leafs {
		if name, ok := strings.CutPrefix(l.Account, prefix); ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

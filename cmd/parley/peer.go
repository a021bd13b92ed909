package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/nats"
	"github.com/parleyhq/parley/postgres"
)

// peerCommand runs `parley peer add URL | list | remove NAME | nats-config`: the operator's
// way to manage federation links from the server's shell, with the same rules as the API's
// addPeer, peers and removePeer, and to configure an external NATS for them. Settings
// (PARLEY_INSTANCE, PARLEY_PUBLIC_URL, PARLEY_SECRET_KEY) come from the environment, as for
// serve.
func peerCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("peer needs a command: add URL, list, remove NAME or nats-config")
	}
	cmd := args[0]
	fs := flag.NewFlagSet("peer "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	databaseURL := fs.String("database-url", getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	want := map[string]int{"add": 1, "list": 0, "remove": 1, "nats-config": 0}
	n, ok := want[cmd]
	if !ok {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown peer command %q; use add, list, remove or nats-config", cmd)
	}
	if fs.NArg() != n {
		return fmt.Errorf("parley peer %s takes %d argument(s), not %d", cmd, n, fs.NArg())
	}
	a, err := openApp(ctx, "peer "+cmd, []string{"--database-url", *databaseURL}, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	identity, err := openIdentity(ctx, a.cfg, a.db)
	if err != nil {
		return err
	}
	store := postgres.NewFederationStore(a.db)
	svc := federation.NewService(identity, store, federation.ServiceOptions{PublicURL: a.cfg.PublicURL, Logger: a.logger})
	// The operator at the server's shell acts as an administrator.
	admin := parley.NewContextWithUser(ctx, &parley.User{Username: "operator", Admin: true})
	switch cmd {
	case "add":
		p, err := svc.AddPeer(admin, parley.AddPeerInput{URL: fs.Arg(0)})
		if err != nil {
			return fmt.Errorf("%s", parley.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "Peer %s (%s) added, key fingerprint %s: compare it with the peer's operator.\nState: %s", p.Name, p.URL, p.Fingerprint, p.State)
		if p.State == parley.PeerPending {
			fmt.Fprintf(stdout, " until %s adds this instance (%s, %s)", p.Name, a.cfg.Instance, a.cfg.PublicURL)
		}
		fmt.Fprintln(stdout, ".")
	case "list":
		peers, err := svc.Peers(admin)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tSTATE\tURL\tFINGERPRINT\tRECEIVED\tREJECTED\tLAST ERROR")
		for _, p := range peers {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", p.Name, p.State, p.URL, p.Fingerprint, p.Received, p.Rejected, p.LastError)
		}
		return tw.Flush()
	case "remove":
		p, err := store.FindPeerByName(ctx, fs.Arg(0))
		if err != nil {
			return fmt.Errorf("no peer named %q", fs.Arg(0))
		}
		if _, err := svc.RemovePeer(admin, p.ID); err != nil {
			return fmt.Errorf("%s", parley.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "Peer %s removed.\n", p.Name)
	case "nats-config":
		return printNATSConfig(ctx, a.cfg, identity, store, a.logger, stdout)
	}
	return nil
}

// printNATSConfig writes the federation accounts and leaf nodes that an external NATS
// (NATS_URL) needs for the peers as they are now, with their credentials: the configuration
// the embedded server would run. The password of the APP account is NATS_URL's when it signs
// in as app, a placeholder otherwise.
func printNATSConfig(ctx context.Context, cfg *Config, id *federation.Identity, store *postgres.FederationStore, logger *slog.Logger, stdout io.Writer) error {
	if cfg.FederationAddr == "" {
		return fmt.Errorf("PARLEY_FEDERATION_ADDR is not set: federation is off")
	}
	peers, err := store.ListPeers(ctx)
	if err != nil {
		return err
	}
	password := ""
	first, _, _ := strings.Cut(cfg.NATSURL, ",") // a cluster's URLs share the account
	if u, err := url.Parse(strings.TrimSpace(first)); err == nil && u.User != nil && u.User.Username() == "app" {
		password, _ = u.User.Password()
	}
	conf, err := nats.FederationConfig(nats.FederationOptions{Instance: cfg.Instance, Listen: cfg.FederationAddr,
		Peers: leafPeers(id, peers, logger)}, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "# Federation of %s for an external NATS, written by `parley peer nats-config`: include it in\n"+
		"# the server's configuration with a client listener and jetstream, and apply it again\n"+
		"# whenever peers change. It holds the peers' leaf passwords: keep it private.\n%s", cfg.Instance, conf)
	return nil
}

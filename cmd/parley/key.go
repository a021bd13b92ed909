package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/postgres"
)

// keyCommand runs `parley key list | rotate [--overlap D] | revoke ID`: the operator's
// handles on the instance's federation keys. A rotated-in key is published at once and signs
// after federation.DefaultActivation, when every peer has read it; the old key stays valid
// for the overlap. Revoking ends a key at once (revoking the signing key makes a new one).
func keyCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("key needs a command: list, rotate or revoke ID")
	}
	cmd := args[0]
	fs := flag.NewFlagSet("key "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	databaseURL := fs.String("database-url", getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	overlap := fs.Duration("overlap", federation.DefaultOverlap, "rotate: how long the replaced key stays valid")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	want := map[string]int{"list": 0, "rotate": 0, "revoke": 1}
	n, ok := want[cmd]
	if !ok {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown key command %q; use list, rotate or revoke", cmd)
	}
	if fs.NArg() != n {
		return fmt.Errorf("parley key %s takes %d argument(s), not %d", cmd, n, fs.NArg())
	}
	a, err := openApp(ctx, "key "+cmd, []string{"--database-url", *databaseURL}, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	id, err := openIdentity(ctx, a.cfg, a.db)
	if err != nil {
		return err
	}
	switch cmd {
	case "rotate":
		keyID, err := id.Rotate(ctx, *overlap)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Key %s made; it signs from %s, after peers have read it.\n", keyID,
			time.Now().Add(federation.DefaultActivation).UTC().Format(time.RFC3339))
		return announceKeys(ctx, a, id, stdout, stderr)
	case "revoke":
		if err := id.Revoke(ctx, fs.Arg(0)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Key %s revoked.\n", fs.Arg(0))
		return announceKeys(ctx, a, id, stdout, stderr)
	}
	doc, err := id.Document(ctx, a.cfg.PublicURL, version)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSIGNS\tFINGERPRINT\tVALID FROM\tVALID UNTIL\tREVOKED")
	for _, k := range doc.Keys {
		until, revoked := "-", "-"
		if k.ValidUntil != nil {
			until = k.ValidUntil.Format(time.RFC3339)
		}
		if k.RevokedAt != nil {
			revoked = k.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%v\t%s\t%s\t%s\t%s\n", k.ID, k.Current, k.Fingerprint, k.ValidFrom.Format(time.RFC3339), until, revoked)
	}
	return tw.Flush()
}

// announceKeys tells every peer at once that the keys changed (federation.AnnounceKeys), so a
// revoked key is refused there now; a peer that cannot be told reads the keys at its next
// periodic refresh (5 minutes), which is said but is not a failure of the command.
func announceKeys(ctx context.Context, a *app, id *federation.Identity, stdout, stderr io.Writer) error {
	svc := federation.NewService(id, postgres.NewFederationStore(a.db), federation.ServiceOptions{PublicURL: a.cfg.PublicURL, Logger: a.logger})
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	sent, err := svc.AnnounceKeys(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "Peers not told of the change (%v); they read it within %s.\n", err, federation.PeerRefreshInterval)
		return nil
	}
	names := slices.Sorted(maps.Keys(sent))
	for _, name := range names {
		if err := sent[name]; err != nil {
			fmt.Fprintf(stderr, "Peer %s not told (%v); it reads the keys within %s.\n", name, err, federation.PeerRefreshInterval)
			continue
		}
		fmt.Fprintf(stdout, "Peer %s told.\n", name)
	}
	return nil
}

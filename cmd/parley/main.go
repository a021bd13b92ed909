// Command parley runs the Parley discussion server and its operator tasks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "parley:", err)
		os.Exit(1)
	}
}

const usage = `Usage: parley <command> [flags]

Commands:
  serve          run the server (parley serve --help lists every setting)
  migrate        apply database migrations and exit
  admin create   create an administrator: --email E --username U --password P
  trust recompute  rebuild trust signals from the events applied: [--site ID]
  import         import another system's comments: --site ID --format disqus|wxr|remark42|coral FILE
  site export    write a whole site as one JSON file: --site ID > site.json
  site import    read such a file into a new (or empty) site: [--site ID] FILE
  peer add URL   federate with the instance at URL (pins its key; pending until it adds us)
  peer list      list the peers with their state and counts
  peer remove NAME  forget a peer
  peer nats-config  print the federation accounts and leaf nodes (with the peers'
                 credentials) for an external NATS (NATS_URL)
  key list       list the federation keys; key rotate [--overlap 72h]; key revoke ID
  health         exit 0 if the server on this machine answers /healthz (for HEALTHCHECK)
  version        print the version
`

// run is the whole program, with its inputs passed in so tests can drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], getenv, stdout, stderr)
	case "admin":
		if len(args) < 2 || args[1] != "create" {
			fmt.Fprint(stderr, usage)
			return errors.New("unknown admin command; did you mean 'parley admin create'?")
		}
		return adminCreate(ctx, args[2:], getenv, stdout, stderr)
	case "trust":
		if len(args) < 2 || args[1] != "recompute" {
			fmt.Fprint(stderr, usage)
			return errors.New("unknown trust command; did you mean 'parley trust recompute'?")
		}
		return trustRecompute(ctx, args[2:], getenv, stdout, stderr)
	case "key":
		return keyCommand(ctx, args[1:], getenv, stdout, stderr)
	case "peer":
		return peerCommand(ctx, args[1:], getenv, stdout, stderr)
	case "health":
		return health(ctx, args[1:], getenv, stdout, stderr)
	case "import":
		return importFile(ctx, args[1:], getenv, stdout, stderr)
	case "site":
		return siteCommand(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "parley", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// newLogger logs JSON in production, for collectors, and text in development, for people.
func newLogger(cfg *Config, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToUpper(cfg.LogLevel))); err != nil {
		return nil, fmt.Errorf("PARLEY_LOG_LEVEL: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Production() {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

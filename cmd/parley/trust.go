package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/trust"
)

// trustRecompute rebuilds trust signals from the consumer's ledger of events and checks
// every level, for one site or all of them: the repair after a defect, and the proof that
// the live numbers follow from the history.
func trustRecompute(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("trust recompute", flag.ContinueOnError)
	fs.SetOutput(stderr)
	site := fs.String("site", "", "the site's ID (default: every site)")
	databaseURL := fs.String("database-url", getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, "trust recompute", []string{"--database-url", *databaseURL}, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	c := trust.NewConsumer(postgres.NewTrustStore(a.db), postgres.NewSiteService(a.db), trust.Options{Logger: a.logger})
	start := time.Now()
	n, err := c.Recompute(ctx, *site)
	if err != nil {
		return fmt.Errorf("trust recompute: %s", parley.ErrorMessage(err))
	}
	scope := "every site"
	if *site != "" {
		scope = "site " + *site
	}
	fmt.Fprintf(stdout, "Trust signals of %s recomputed from %d events in %s.\n", scope, n, time.Since(start).Round(time.Millisecond))
	return nil
}

// trustBatch is the most events the trust consumer applies in one run.
const trustBatch = 100

// enactEvery is how often each replica looks for approved proposals whose delay ended. A
// proposal is enacted at most this long after its delay; racing replicas enact it once.
const enactEvery = 30 * time.Second

// runEnactor enacts approved proposals once their site's delay ends, until stop is called.
// Every replica runs one: an enactment is one transaction, and exactly one of racing
// enactments wins.
func runEnactor(ctx context.Context, rules *trust.Rules, logger *slog.Logger) (stop func()) {
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { rules.RunEnactor(runCtx, enactEvery, logger) })
	return func() {
		cancel()
		wg.Wait()
	}
}

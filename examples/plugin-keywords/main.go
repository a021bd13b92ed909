// Command plugin-keywords is an example Parley moderation plug-in: it holds comments that
// contain any of a few words for a person to review. It shows the whole protocol — a signed
// request in, a signed verdict out — in a few lines, using Parley's plugin package.
//
//	plugin-keywords -addr 127.0.0.1:9091 -secret-file secret.txt -words refund,lawsuit
//
// and, in the file named by PARLEY_PLUGINS_FILE:
//
//	[{"name": "keywords", "url": "http://127.0.0.1:9091/", "secret": "…"}]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation/plugin"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9091", "listen address")
	secretFile := flag.String("secret-file", "", "file holding the secret shared with Parley (or PLUGIN_SECRET)")
	words := flag.String("words", "refund,lawsuit", "comma-separated words that hold a comment")
	flag.Parse()
	secret := os.Getenv("PLUGIN_SECRET")
	if *secretFile != "" {
		b, err := os.ReadFile(*secretFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		secret = strings.TrimSpace(string(b))
	}
	if len(secret) < 16 {
		fmt.Fprintln(os.Stderr, "plugin-keywords: a secret of at least 16 bytes is required")
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Addr: *addr, Handler: plugin.NewHandler([]byte(secret), judge(strings.Split(*words, ","))), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	slog.Info("plugin-keywords listening", "addr", *addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// judge holds comments that mention any of words.
func judge(words []string) plugin.Judge {
	return func(_ context.Context, r plugin.Request) (plugin.Response, error) {
		text := strings.ToLower(r.Comment.BodySource)
		for _, w := range words {
			if w = strings.ToLower(strings.TrimSpace(w)); w != "" && strings.Contains(text, w) {
				return plugin.Response{Decision: parley.DecisionHold, Flags: []string{"KEYWORD"},
					Evidence: fmt.Sprintf("Mentions %q, which this site reviews.", w), Version: "keywords-1"}, nil
			}
		}
		return plugin.Response{Decision: parley.DecisionPass}, nil
	}
}

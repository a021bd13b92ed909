// Command plugin-keywords is an example Parley moderation plug-in: it holds comments that
// contain any of a few words for a person to review. It shows the whole protocol — a signed
// request in, a signed verdict out — in a few lines, using Parley's plugin package, over HTTP
//
//	plugin-keywords -addr 127.0.0.1:9091 -secret-file secret.txt -words refund,lawsuit
//	# PARLEY_PLUGINS_FILE: [{"name": "keywords", "url": "http://127.0.0.1:9091/", "secret": "…"}]
//
// or over NATS request/reply, answering on parley.moderation.keywords:
//
//	plugin-keywords -nats nats://127.0.0.1:4222 -secret-file secret.txt
//	# PARLEY_PLUGINS_FILE: [{"name": "keywords", "nats": true, "secret": "…"}]
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

	"github.com/nats-io/nats.go"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation/plugin"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9091", "listen address")
	secretFile := flag.String("secret-file", "", "file holding the secret shared with Parley (or PLUGIN_SECRET)")
	words := flag.String("words", "refund,lawsuit", "comma-separated words that hold a comment")
	natsURL := flag.String("nats", "", "answer over NATS at this URL instead of HTTP")
	name := flag.String("name", "keywords", "the plug-in's name (its NATS subject is parley.moderation.<name>)")
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
	if *natsURL != "" {
		if err := serveNATS(ctx, *natsURL, "parley.moderation."+*name, []byte(secret), judge(strings.Split(*words, ","))); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
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

// serveNATS answers requests on subject until ctx ends; copies of the plug-in share the work
// through a queue group.
func serveNATS(ctx context.Context, url, subject string, secret []byte, j plugin.Judge) error {
	nc, err := nats.Connect(url, nats.Name("plugin-keywords"))
	if err != nil {
		return err
	}
	defer nc.Close()
	_, err = nc.QueueSubscribe(subject, "plugin-keywords", func(m *nats.Msg) {
		reply, header, err := plugin.Handle(ctx, secret, j, m.Data, map[string]string{
			plugin.HeaderTimestamp: m.Header.Get(plugin.HeaderTimestamp), plugin.HeaderSignature: m.Header.Get(plugin.HeaderSignature)})
		if err != nil {
			slog.Warn("request refused", "error", err)
			return // Parley times out and applies the stage's failure policy
		}
		out := nats.NewMsg(m.Reply)
		out.Data = reply
		for k, v := range header {
			out.Header.Set(k, v)
		}
		_ = m.RespondMsg(out)
	})
	if err != nil {
		return err
	}
	slog.Info("plugin-keywords answering", "subject", subject)
	<-ctx.Done()
	return nil
}

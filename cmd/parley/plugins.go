package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	natsgo "github.com/nats-io/nats.go"

	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/moderation/plugin"
	"github.com/parleyhq/parley/nats"
)

// pluginConfig is one entry of PARLEY_PLUGINS_FILE: a plug-in the operator installs, which a
// site's moderators can then put in their pipeline as "plugin:<name>".
type pluginConfig struct {
	Name string `json:"name"`
	// URL reaches an HTTP plug-in; NATS instead sends requests to parley.moderation.<name>.
	URL        string `json:"url"`
	NATS       bool   `json:"nats"`
	Secret     string `json:"secret"`
	BudgetMs   int    `json:"budgetMs"`
	FailClosed bool   `json:"failClosed"`
	// Format is "parley" (the default) or "coral": Coral's external moderation JSON over
	// HTTP, for a moderation service written for Coral.
	Format string `json:"format"`
}

// loadPlugins reads the plug-ins file, "" meaning none. NATS plug-ins send their requests
// over conn, the event bus's connection, which is up before the pipeline is built.
func loadPlugins(path string, conn *natsgo.Conn) ([]moderation.Step, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("PARLEY_PLUGINS_FILE: %w", err)
	}
	var configs []pluginConfig
	if err := json.Unmarshal(b, &configs); err != nil {
		return nil, fmt.Errorf("PARLEY_PLUGINS_FILE: %w", err)
	}
	steps := make([]moderation.Step, 0, len(configs))
	for _, c := range configs {
		switch {
		case c.Name == "" || len(c.Name) > 40:
			return nil, fmt.Errorf("PARLEY_PLUGINS_FILE: every plug-in needs a name of 1 to 40 characters")
		case (c.URL == "") == !c.NATS:
			return nil, fmt.Errorf("PARLEY_PLUGINS_FILE: plug-in %q needs either a url or \"nats\": true", c.Name)
		case c.Format != "" && c.Format != "parley" && c.Format != "coral":
			return nil, fmt.Errorf("PARLEY_PLUGINS_FILE: plug-in %q has format %q; it must be \"parley\" or \"coral\"", c.Name, c.Format)
		case c.Format == "coral" && c.NATS:
			return nil, fmt.Errorf("PARLEY_PLUGINS_FILE: plug-in %q: the coral format is spoken over HTTP only", c.Name)
		case len(c.Secret) < 16:
			return nil, fmt.Errorf("PARLEY_PLUGINS_FILE: plug-in %q needs a secret of at least 16 bytes", c.Name)
		}
		budget := time.Duration(c.BudgetMs) * time.Millisecond
		if budget <= 0 {
			budget = time.Second
		}
		var transport plugin.Transport = plugin.HTTP{URL: c.URL, Client: &http.Client{Timeout: budget}}
		if c.NATS {
			transport = nats.PluginTransport{Conn: func() *natsgo.Conn { return conn }, Subject: nats.PluginSubject(c.Name)}
		}
		var stage moderation.Stage = plugin.NewStage(c.Name, []byte(c.Secret), transport)
		if c.Format == "coral" {
			stage = plugin.NewCoralStage(c.Name, []byte(c.Secret), c.URL, &http.Client{Timeout: budget})
		}
		steps = append(steps, moderation.Step{
			Stage:      stage,
			Budget:     budget,
			FailClosed: c.FailClosed,
		})
	}
	return steps, nil
}

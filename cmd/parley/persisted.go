package main

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"

	"github.com/parleyhq/parley/frontend"
	"github.com/parleyhq/parley/graph"
)

// manifestName is the file the frontend build writes beside its bundles (the widget's in
// dist/, the dashboard's in dist/admin/): every operation they send, by its SHA-256 hash, so
// that the binary that embeds them knows them from the start.
const manifestName = "persisted-queries.json"

// persistedQueries makes the store of persisted queries: the frontend's manifest, the
// operator's allowlist, and, with PARLEY_PERSISTED_QUERIES_ONLY, the refusal of every other
// query. It refuses to start in that mode with neither, which would refuse every read.
func persistedQueries(cfg *Config) (*graph.PersistedQueries, error) {
	manifest := map[string]string{}
	// The widget's manifest and the dashboard's, each written by its own build.
	for _, name := range []string{manifestName, "admin/" + manifestName} {
		f, err := frontend.Files().Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		m, err := graph.ReadManifest(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		maps.Copy(manifest, m)
	}
	var allow []string
	if cfg.PersistedQueriesAllowlist != "" {
		f, err := os.Open(cfg.PersistedQueriesAllowlist)
		if err != nil {
			return nil, fmt.Errorf("PARLEY_PERSISTED_QUERIES_ALLOWLIST: %w", err)
		}
		allow, err = graph.ReadAllowlist(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("PARLEY_PERSISTED_QUERIES_ALLOWLIST: %w", err)
		}
	}
	if cfg.PersistedQueriesOnly && len(manifest) == 0 && len(allow) == 0 {
		return nil, errors.New("PARLEY_PERSISTED_QUERIES_ONLY: the built frontend registered no queries (" + manifestName + ") and no allowlist is given, so every query would be refused")
	}
	return graph.NewPersistedQueries(manifest, allow, cfg.PersistedQueriesOnly)
}

package graph

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/parleyhq/parley"
)

// CodePersistedQueryNotFound is the extensions.code of an automatic persisted query whose hash
// this replica does not know: the client sends the same request again with the full query
// (Apollo's APQ protocol, which urql's persistedExchange speaks).
const CodePersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"

// apqCacheSize bounds the queries a replica remembers by hash. The built frontend has a few
// dozen; the rest are API clients', and a forgotten one costs its client one more round trip.
const apqCacheSize = 2000

// PersistedQueries is the store of automatic persisted queries: hash → query text.
//
// It is an in-process LRU on each replica, and needs to be nothing more: the protocol makes
// every client send the full query again when a replica answers PERSISTED_QUERY_NOT_FOUND, so
// a replica that never saw a hash, or forgot it, costs one round trip and never a wrong
// answer (the hash is checked against the text before it is kept). The queries the built
// frontend registered (Registered) are known to every replica from the start.
type PersistedQueries struct {
	cache *lru.LRU[string]
	// registered are the queries the frontend build wrote in its manifest, and allowed the
	// hashes of the operator's allowlist; with Only set, nothing else runs.
	registered map[string]string
	allowed    map[string]bool
	only       bool
}

// NewPersistedQueries returns a store knowing manifest (hash → query, as the frontend build
// writes it). With only set it refuses every operation whose hash is neither in manifest nor
// in allowlist, so that a production API runs only the queries its own frontend sends plus
// those the operator allowed.
func NewPersistedQueries(manifest map[string]string, allowlist []string, only bool) (*PersistedQueries, error) {
	p := &PersistedQueries{cache: lru.New[string](apqCacheSize), registered: map[string]string{}, allowed: map[string]bool{}, only: only}
	for h, q := range manifest {
		if QueryHash(q) != h {
			return nil, fmt.Errorf("persisted query manifest: hash %s does not match its query", h)
		}
		p.registered[h] = q
	}
	for _, h := range allowlist {
		if len(h) != 64 {
			return nil, fmt.Errorf("persisted query allowlist: %q is not a SHA-256 hash in hex", h)
		}
		p.allowed[strings.ToLower(h)] = true
	}
	return p, nil
}

// ReadManifest reads a manifest of persisted queries: a JSON object of SHA-256 hash (hex) to
// query text, as the frontend build writes persisted-queries.json.
func ReadManifest(r io.Reader) (map[string]string, error) {
	m := map[string]string{}
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, fmt.Errorf("persisted query manifest: %w", err)
	}
	return m, nil
}

// ReadAllowlist reads an allowlist: one SHA-256 hash (hex) a line; blank lines and lines
// starting with # are skipped.
func ReadAllowlist(r io.Reader) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out, sc.Err()
}

// QueryHash is the APQ hash of a query: SHA-256 of its text, in lowercase hex.
func QueryHash(query string) string {
	b := sha256.Sum256([]byte(query))
	return hex.EncodeToString(b[:])
}

// Lookup returns the query text of hash, when this replica knows it. The overlay uses it to
// plan a signed-in read that came as a hash only.
func (p *PersistedQueries) Lookup(ctx context.Context, hash string) (string, bool) {
	if p == nil {
		return "", false
	}
	if q, ok := p.registered[hash]; ok {
		return q, true
	}
	return p.cache.Get(ctx, hash)
}

func (p *PersistedQueries) permitted(hash string) bool {
	if !p.only {
		return true
	}
	_, reg := p.registered[hash]
	return reg || p.allowed[hash]
}

// ExtensionName implements graphql.HandlerExtension.
func (p *PersistedQueries) ExtensionName() string { return "PersistedQueries" }

// Validate implements graphql.HandlerExtension.
func (p *PersistedQueries) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters implements the APQ protocol: a hash alone runs the query kept
// under it, or answers PERSISTED_QUERY_NOT_FOUND; a hash with its query keeps the query. With
// only set, an operation whose hash (sent, or computed from its text) is neither registered
// nor allowed is refused with FORBIDDEN.
func (p *PersistedQueries) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	ext, has := raw.Extensions["persistedQuery"].(map[string]any)
	if !has {
		if raw.Extensions["persistedQuery"] != nil {
			return refuse(parley.Errorf(parley.EINVALID, "extensions.persistedQuery must be an object {version, sha256Hash}."))
		}
		if p.only && (raw.Query == "" || !p.permitted(QueryHash(raw.Query))) {
			// A registered query sent as text (by a client without APQ) runs: it is the
			// same operation as its hash.
			return refuse(parley.Errorf(parley.EFORBIDDEN, "This server runs only persisted queries: send extensions.persistedQuery with the sha256Hash of a registered query."))
		}
		return nil
	}
	if fmt.Sprint(ext["version"]) != "1" { // a float64 or a json.Number, as the transport decodes it
		return refuse(parley.Errorf(parley.EINVALID, "extensions.persistedQuery.version must be 1."))
	}
	hash, _ := ext["sha256Hash"].(string)
	hash = strings.ToLower(hash)
	if len(hash) != 64 {
		return refuse(parley.Errorf(parley.EINVALID, "extensions.persistedQuery.sha256Hash must be a SHA-256 hash in hex."))
	}
	if !p.permitted(hash) {
		return refuse(parley.Errorf(parley.EFORBIDDEN, "This server runs only registered queries, and %s is not one of them.", hash))
	}
	if raw.Query == "" {
		q, ok := p.Lookup(ctx, hash)
		if !ok {
			e := gqlerror.Errorf("PersistedQueryNotFound")
			e.Extensions = map[string]any{"code": CodePersistedQueryNotFound}
			return e
		}
		raw.Query = q
		return nil
	}
	if QueryHash(raw.Query) != hash {
		return refuse(parley.Errorf(parley.EINVALID, "extensions.persistedQuery.sha256Hash does not match the query."))
	}
	if _, reg := p.registered[hash]; !reg {
		p.cache.Add(ctx, hash, raw.Query)
	}
	return nil
}

// refuse carries a parley error through gqlgen's request errors to the error presenter.
func refuse(err error) *gqlerror.Error {
	return &gqlerror.Error{Message: err.Error(), Err: err}
}

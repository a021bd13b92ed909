package parley_test

import (
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestImportRulesCatch shows each rule of checkLayout failing on a made-up module, and
// passing what DESIGN.md §2 allows.
func TestImportRulesCatch(t *testing.T) {
	const m = "example.org/app"
	imports := func(path string, paths ...string) goFile {
		f := goFile{Path: path}
		for i, p := range paths {
			f.Imports = append(f.Imports, goImport{Path: p, Line: i + 3})
		}
		return f
	}
	refs := func(path, pkg string, names ...string) goFile {
		f := goFile{Path: path}
		for i, n := range names {
			f.Refs = append(f.Refs, goRef{Pkg: pkg, Name: n, Line: i + 10})
		}
		return f
	}
	for _, tc := range []struct {
		name string
		file goFile
		want []string // "rule file:line"
	}{
		{"the root importing the standard library passes", imports("story.go", "context", "net/url", "C"), nil},
		{"the root importing a module fails", imports("story.go", "context", "github.com/google/uuid"), []string{"root story.go:4"}},
		{"the root importing its own sub-package fails", imports("story.go", m+"/markup"), []string{"root story.go:3"}},
		{"an adapter importing the root, its driver and migrations passes", imports("postgres/db.go", m, "github.com/jackc/pgx/v5", m+"/migrations", "github.com/google/uuid"), nil},
		{"an adapter's sub-package importing the adapter passes", imports("postgres/postgrestest/db.go", m+"/postgres", "testing"), nil},
		{"an adapter importing another adapter fails", imports("redis/redis.go", m, m+"/nats"), []string{"adapter redis/redis.go:4"}},
		{"an adapter importing another adapter's sub-package fails", imports("nats/relay.go", m+"/postgres/postgrestest"), []string{"adapter nats/relay.go:3"}},
		{"an adapter importing a capability fails", imports("postgres/account.go", m+"/auth", m+"/moderation/spam"), []string{"adapter postgres/account.go:3", "adapter postgres/account.go:4"}},
		{"an adapter importing graph or server fails", imports("nats/feed.go", m+"/graph", m+"/server"), []string{"adapter nats/feed.go:3", "adapter nats/feed.go:4"}},
		{"an adapter importing any other package of the module fails", imports("redis/cache.go", m+"/markup"), []string{"adapter redis/cache.go:3"}},
		{"an adapter importing another adapter's driver fails", imports("postgres/bus.go", "github.com/nats-io/nats.go/jetstream"), []string{"adapter postgres/bus.go:3"}},
		{"a capability importing the root and its own packages passes", imports("moderation/pipeline.go", m, m+"/moderation/spam", "github.com/nats-io/nats.go"), nil},
		{"a capability importing an adapter fails", imports("live/live.go", m+"/nats"), []string{"capability live/live.go:3"}},
		{"a capability importing graph fails", imports("trust/rules.go", m+"/graph"), []string{"capability trust/rules.go:3"}},
		{"graph importing pgx fails", imports("graph/loaders.go", "github.com/jackc/pgx/v5/pgxpool"), []string{"api graph/loaders.go:3"}},
		{"graph's sub-package importing pgx fails", imports("graph/wstransport/conn.go", "github.com/jackc/pgx/v5"), []string{"api graph/wstransport/conn.go:3"}},
		{"server importing an adapter fails", imports("server/server.go", m, m+"/graph", m+"/redis"), []string{"api server/server.go:5"}},
		{"cmd importing every adapter passes", imports("cmd/parley/serve.go", m+"/postgres", m+"/redis", m+"/nats", "github.com/jackc/pgx/v5"), nil},
		{"cmd building adapters passes", refs("cmd/parley/serve.go", m+"/postgres", "Open", "NewCommentService"), nil},
		{"an adapter building itself passes", refs("postgres/postgrestest/db.go", m+"/postgres", "Open"), nil},
		{"a package outside cmd building an adapter fails", refs("ratelimit/shared.go", m+"/redis", "NewLimiter", "Open"), []string{"construct ratelimit/shared.go:10", "construct ratelimit/shared.go:11"}},
		{"an example starting the embedded bus fails", refs("examples/bot/main.go", m+"/nats", "StartEmbedded", "Connect"), []string{"construct examples/bot/main.go:10", "construct examples/bot/main.go:11"}},
		{"an adapter building another adapter fails", refs("nats/relay.go", m+"/postgres/postgrestest", "OpenDB"), []string{"construct nats/relay.go:10"}},
		{"using an adapter's other names passes", refs("markup/render.go", m+"/postgres", "DB", "ErrClosed"), nil},
		{"building a package that is no adapter passes", refs("server/server.go", m+"/graph", "NewHandler"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, v := range checkLayout(m, []goFile{tc.file}) {
				if v.Msg == "" {
					t.Errorf("%v has no message", v)
				}
				got = append(got, v.Rule+" "+v.File+":"+strconv.Itoa(v.Line))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}

// TestImportRulesReadFile checks what the loader takes from a file: imports, and uses of the module's
// packages under their names in the file, but not of a local variable that shadows one.
func TestImportRulesReadFile(t *testing.T) {
	const src = `package wiring

import (
	"context"

	pg "example.org/app/postgres"
	"example.org/app/nats"
)

func build(ctx context.Context) {
	db, _ := pg.Open(ctx, "", nil)
	_ = db
	f := nats.NewFeed
	_ = f
}

func shadowed(nats interface{ Open() }) {
	nats.Open()
}
`
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, "wiring.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{"example.org/app/postgres": "postgres", "example.org/app/nats": "nats"}
	f := readFile(fset, af, "wiring/wiring.go", names)
	t.Run("every import is read with its line", func(t *testing.T) {
		want := []goImport{{"context", 4}, {"example.org/app/postgres", 6}, {"example.org/app/nats", 7}}
		if diff := cmp.Diff(want, f.Imports); diff != "" {
			t.Errorf("imports (-want +got):\n%s", diff)
		}
	})
	t.Run("renamed imports and function values count; a shadowing parameter does not", func(t *testing.T) {
		want := []goRef{{"example.org/app/postgres", "Open", 11}, {"example.org/app/nats", "NewFeed", 13}}
		if diff := cmp.Diff(want, f.Refs); diff != "" {
			t.Errorf("refs (-want +got):\n%s", diff)
		}
	})
	t.Run("the rules report both", func(t *testing.T) {
		vs := checkLayout("example.org/app", []goFile{f})
		if len(vs) != 2 || !slices.ContainsFunc(vs, func(v violation) bool { return v.Line == 11 }) {
			t.Errorf("got %v", vs)
		}
	})
}

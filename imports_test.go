package parley_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportRules keeps the layout of DESIGN.md §2: it reads every non-test Go file of the
// module (as `go list` selects them for this platform) and fails with one line per file and
// rule broken. The rules themselves are checkLayout's, below; imports_rules_test.go shows
// each of them failing on a small made-up module.
func TestImportRules(t *testing.T) {
	module, files := MustLoadModule(t)
	for _, v := range checkLayout(module, files) {
		t.Error(v)
	}
}

// goFile is what the rules read of one non-test Go file.
type goFile struct {
	// Path is the file's path from the module's root, with slashes: "postgres/comment.go".
	Path string
	// Imports are the file's imports, in order.
	Imports []goImport
	// Refs are the file's uses of exported names of other packages of the module:
	// postgres.Open in `db, err := postgres.Open(ctx, dsn, nil)`.
	Refs []goRef
}

type goImport struct {
	Path string
	Line int
}

type goRef struct {
	Pkg  string // the import path of the package the name belongs to
	Name string
	Line int
}

// violation is one rule broken at one place.
type violation struct {
	File string
	Line int
	Rule string
	Msg  string
}

func (v violation) String() string {
	return fmt.Sprintf("%s:%d: [%s] %s", v.File, v.Line, v.Rule, v.Msg)
}

// The layers of DESIGN.md §2. An adapter is named with the import-path prefixes of its
// drivers; its sub-packages (postgres/postgrestest) belong to it.
var (
	adapters = map[string][]string{
		"postgres": {"github.com/jackc/pgx/"},
		"redis":    {"github.com/redis/go-redis/", "github.com/go-redis/"},
		"nats":     {"github.com/nats-io/"},
	}
	capabilities = map[string]bool{"auth": true, "mail": true, "notify": true, "moderation": true, "trust": true, "federation": true, "live": true, "webhook": true, "importer": true}
	// dataPackages hold no code an adapter could call back into: migrations embeds SQL.
	dataPackages = map[string]bool{"migrations": true}
	// constructorPrefixes name the functions that make a concrete adapter.
	constructorPrefixes = []string{"New", "Open", "Start", "Connect", "Dial"}
)

// checkLayout returns every place where files (the non-test files of module) break the
// import rules of DESIGN.md §2:
//   - root: the root package imports only the standard library;
//   - adapter: an adapter imports, of this module, only the root package, its own packages
//     and migrations, and no other adapter's driver;
//   - capability: a capability imports no adapter, nor graph, server or cmd;
//   - api: graph and server import no adapter and no database driver;
//   - construct: outside cmd/ and the adapter itself, nothing calls or refers to an
//     adapter's constructors (New*, Open*, Start*, Connect*, Dial*).
func checkLayout(module string, files []goFile) []violation {
	var out []violation
	for _, f := range files {
		from := topDir(pathDir(f.Path))
		report := func(line int, rule, format string, args ...any) {
			out = append(out, violation{File: f.Path, Line: line, Rule: rule, Msg: fmt.Sprintf(format, args...)})
		}
		for _, imp := range f.Imports {
			rel, inModule := relative(module, imp.Path)
			to := topDir(rel)
			switch {
			case pathDir(f.Path) == "":
				if !isStandard(imp.Path) {
					report(imp.Line, "root", "the root package imports %s: it imports only the standard library", imp.Path)
				}
			case adapters[from] != nil:
				switch {
				case inModule && to != from && rel != "" && !dataPackages[to]:
					report(imp.Line, "adapter", "adapter %s imports %s (%s): an adapter imports, of this module, only the root package and its own packages", from, imp.Path, kind(rel))
				case !inModule && driverOf(imp.Path) != "" && driverOf(imp.Path) != from:
					report(imp.Line, "adapter", "adapter %s imports %s, the driver of adapter %s: adapters never use each other's technology", from, imp.Path, driverOf(imp.Path))
				}
			case capabilities[from]:
				if inModule && (adapters[to] != nil || to == "graph" || to == "server" || to == "cmd") {
					report(imp.Line, "capability", "capability %s imports %s (%s): capabilities reach storage and the bus through the root package's interfaces", from, imp.Path, kind(rel))
				}
			case from == "graph" || from == "server":
				switch {
				case inModule && adapters[to] != nil:
					report(imp.Line, "api", "%s imports %s (%s): the API holds the root package's interfaces, never a concrete adapter", from, imp.Path, kind(rel))
				case !inModule && driverOf(imp.Path) == "postgres":
					report(imp.Line, "api", "%s imports %s: the API never touches the database driver", from, imp.Path)
				}
			}
		}
		if from == "cmd" {
			continue
		}
		for _, r := range f.Refs {
			rel, inModule := relative(module, r.Pkg)
			to := topDir(rel)
			if !inModule || adapters[to] == nil || to == from || !isConstructor(r.Name) {
				continue
			}
			report(r.Line, "construct", "%s.%s builds a concrete adapter outside cmd/: only cmd/ wires adapters, everything else takes interfaces", pathBase(rel), r.Name)
		}
	}
	return out
}

// kind names the layer of a package of the module, for messages.
func kind(rel string) string {
	top := topDir(rel)
	switch {
	case rel == "":
		return "the root package"
	case adapters[top] != nil:
		return "an adapter"
	case capabilities[top]:
		return "a capability"
	case top == "graph" || top == "server":
		return "the API"
	case top == "cmd":
		return "a command"
	}
	return "another package of this module"
}

// relative returns an import path relative to the module ("" for the root package) and
// whether it is in the module at all.
func relative(module, path string) (string, bool) {
	if path == module {
		return "", true
	}
	if rel, ok := strings.CutPrefix(path, module+"/"); ok {
		return rel, true
	}
	return "", false
}

// driverOf returns the adapter whose driver path is, or "".
func driverOf(path string) string {
	for a, prefixes := range adapters {
		for _, p := range prefixes {
			if strings.HasPrefix(path+"/", p) {
				return a
			}
		}
	}
	return ""
}

// isStandard tells standard-library paths by their first element, which has no dot.
func isStandard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func isConstructor(name string) bool {
	for _, p := range constructorPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func topDir(rel string) string { first, _, _ := strings.Cut(rel, "/"); return first }

func pathDir(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[:i]
	}
	return ""
}

func pathBase(p string) string { return p[strings.LastIndex(p, "/")+1:] }

// MustLoadModule lists the module's packages with `go list` and parses their non-test files.
func MustLoadModule(tb testing.TB) (module string, files []goFile) {
	tb.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Path}} {{.Dir}}").Output()
	if err != nil {
		tb.Fatalf("go list -m: %v", err)
	}
	module, root, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	cmd := exec.Command("go", "list", "-e", "-find", "-json=ImportPath,Name,Dir,GoFiles,CgoFiles,Error", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	if err != nil {
		tb.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	type listed struct {
		ImportPath, Name, Dir string
		GoFiles, CgoFiles     []string
		Error                 *struct{ Err string }
	}
	var pkgs []listed
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			tb.Fatal(err)
		}
		if p.Error != nil {
			tb.Fatalf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p)
	}
	names := map[string]string{} // import path → package name, for the module's packages
	for _, p := range pkgs {
		names[p.ImportPath] = p.Name
	}
	fset := token.NewFileSet()
	for _, p := range pkgs {
		for _, name := range append(p.GoFiles, p.CgoFiles...) {
			full := filepath.Join(p.Dir, name)
			rel, err := filepath.Rel(root, full)
			if err != nil {
				tb.Fatal(err)
			}
			af, err := parser.ParseFile(fset, full, nil, 0)
			if err != nil {
				tb.Fatal(err)
			}
			files = append(files, readFile(fset, af, filepath.ToSlash(rel), names))
		}
	}
	return module, files
}

// readFile collects a parsed file's imports and its uses of exported names of the module's
// packages (names maps their import paths to their package names).
func readFile(fset *token.FileSet, af *ast.File, path string, names map[string]string) goFile {
	f := goFile{Path: path}
	local := map[string]string{} // name in this file → import path, for the module's packages
	for _, spec := range af.Imports {
		p, _ := strconv.Unquote(spec.Path.Value)
		f.Imports = append(f.Imports, goImport{Path: p, Line: fset.Position(spec.Pos()).Line})
		name, ok := names[p]
		if !ok {
			continue
		}
		if spec.Name != nil {
			name = spec.Name.Name
		}
		local[name] = p
	}
	if len(local) == 0 {
		return f
	}
	// A local variable may shadow an import's name: the parser resolves the names declared
	// in the file (Obj is set), and leaves package names of imports unresolved.
	ast.Inspect(af, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Obj == nil && local[id.Name] != "" {
				f.Refs = append(f.Refs, goRef{Pkg: local[id.Name], Name: sel.Sel.Name, Line: fset.Position(sel.Pos()).Line})
			}
		}
		return true
	})
	return f
}

package portable_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/portable"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// MustExport writes the site's file from src.
func MustExport(tb testing.TB, siteID string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := portable.NewExporter(postgres.NewSiteMoveStore(src)).Export(context.Background(), siteID, &buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func opener(b []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

func importInto(store parley.SiteImportStore, into string, file []byte) (*portable.Report, error) {
	return portable.NewImporter(store, portable.Options{BatchSize: 3}).Import(context.Background(), into, opener(file))
}

func TestMoveSite(t *testing.T) {
	c := MustPopulatedSite(t, "")
	file := MustExport(t, c.siteID)
	// On the new instance, the reader already has an account with the same verified email,
	// and someone else holds the unverified user's email, verified.
	existing, claimer := newID(), newID()
	postgrestest.Exec(t, dst, `INSERT INTO users (id, username, email, email_verified_at) VALUES ($1, 'reader-here', 'shared@example.org', now())`, existing)
	postgrestest.Exec(t, dst, `INSERT INTO users (id, username, email, email_verified_at) VALUES ($1, 'claimer', 'claim@example.org', now())`, claimer)
	postgrestest.Exec(t, dst, `INSERT INTO users (id, username) VALUES ($1, 'member')`, newID()) // a namesake

	rep, err := importInto(postgres.NewSiteMoveStore(dst), "", file)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the site keeps its ID and everything it held", func(t *testing.T) {
		if rep.SiteID != c.siteID {
			t.Errorf("site = %s, want %s", rep.SiteID, c.siteID)
		}
		want := siteCounts(t, src, c.siteID)
		if diff := cmp.Diff(want, siteCounts(t, dst, c.siteID)); diff != "" {
			t.Errorf("counts (-source +imported):\n%s", diff)
		}
		// Two replies shown, two reactions, one report, four published comments.
		if got := counters(t, dst, c.siteID); got != [4]int{2, 2, 1, 4} {
			t.Errorf("counters = %v, want [2 2 1 4]", got)
		}
	})
	t.Run("threads keep their shape and statuses", func(t *testing.T) {
		q := `SELECT coalesce(string_agg(c.depth || ':' || c.status || ':' || c.body || ':' || coalesce(p.body, '-'), ',' ORDER BY c.depth, c.body), '')
			FROM comments c LEFT JOIN comments p ON p.id = c.parent_id WHERE c.site_id = $1`
		var a, b string
		if err := postgrestest.Pool(t, src).QueryRow(context.Background(), q, c.siteID).Scan(&a); err != nil {
			t.Fatal(err)
		}
		if err := postgrestest.Pool(t, dst).QueryRow(context.Background(), q, c.siteID).Scan(&b); err != nil {
			t.Fatal(err)
		}
		if a != b || a == "" {
			t.Errorf("threads differ:\n%s\n%s", a, b)
		}
	})
	t.Run("a member signs in with the password they had", func(t *testing.T) {
		p, err := accounts(dst).SignIn(context.Background(), parley.SignInInput{Login: "member@example.org", Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		var role string
		if err := postgrestest.Pool(t, dst).QueryRow(context.Background(), `SELECT role FROM site_roles WHERE site_id = $1 AND user_id = $2`, c.siteID, p.User.ID).Scan(&role); err != nil || role != "MEMBER" {
			t.Errorf("role = %q, %v", role, err)
		}
		if p.User.Username == "member" {
			t.Errorf("the member took the name of the account already here")
		}
	})
	t.Run("a verified email joins the existing account", func(t *testing.T) {
		var n int
		postgrestest.Pool(t, dst).QueryRow(context.Background(), `SELECT count(*) FROM comments WHERE site_id = $1 AND author_id = $2`, c.siteID, existing).Scan(&n)
		if n != 2 || rep.Merged != 1 {
			t.Errorf("the existing account has %d comments (want 2), merged = %d", n, rep.Merged)
		}
	})
	t.Run("an unverified email joins nothing", func(t *testing.T) {
		var n int
		postgrestest.Pool(t, dst).QueryRow(context.Background(), `SELECT count(*) FROM comments WHERE author_id = $1`, claimer).Scan(&n)
		var email *string
		postgrestest.Pool(t, dst).QueryRow(context.Background(), `SELECT u.email FROM comments c JOIN users u ON u.id = c.author_id
			WHERE c.site_id = $1 AND c.body = '<p>deep</p>'`, c.siteID).Scan(&email)
		if n != 0 || email != nil {
			t.Errorf("the claimer has %d comments; the unverified author's email is %v", n, email)
		}
	})
	t.Run("a scheduled erasure moves with its account", func(t *testing.T) {
		var n int
		postgrestest.Pool(t, dst).QueryRow(context.Background(), `SELECT count(*) FROM users u JOIN site_roles r ON r.user_id = u.id
			WHERE r.site_id = $1 AND r.role = 'MODERATOR' AND u.deletion_due_at > now() + interval '6 days'`, c.siteID).Scan(&n)
		if n != 1 {
			t.Errorf("moderators with their erasure scheduled = %d, want 1", n)
		}
	})
	t.Run("a second run adds nothing", func(t *testing.T) {
		before := tableCounts(t, dst)
		rep, err := importInto(postgres.NewSiteMoveStore(dst), "", file)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, tableCounts(t, dst)); diff != "" || rep.Written != 0 {
			t.Errorf("wrote %d; counts (-before +after):\n%s", rep.Written, diff)
		}
	})
	t.Run("a run that stopped half-way is finished by running it again", func(t *testing.T) {
		into := newID()
		postgrestest.Exec(t, dst, `INSERT INTO sites (id, name, allowed_origins, settings) VALUES ($1, 'Empty', '{}', '{}')`, into)
		_, err := importInto(&crashing{SiteImportStore: postgres.NewSiteMoveStore(dst), after: 2}, into, file)
		if !errors.Is(err, errCrash) {
			t.Fatalf("err = %v, want the crash", err)
		}
		if n := siteCounts(t, dst, into)["comments"]; n == 0 || n == 7 {
			t.Fatalf("the crashed run wrote %d comments; the test wants a partial run", n)
		}
		if _, err := importInto(postgres.NewSiteMoveStore(dst), into, file); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(siteCounts(t, src, c.siteID), siteCounts(t, dst, into)); diff != "" {
			t.Errorf("counts (-source +imported):\n%s", diff)
		}
	})
	t.Run("into a site that does not exist is NOT_FOUND and makes none", func(t *testing.T) {
		into := newID()
		if _, err := importInto(postgres.NewSiteMoveStore(dst), into, file); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Errorf("err = %v, want ENOTFOUND", err)
		}
		if n := siteCounts(t, dst, into)["stories"]; n != 0 {
			t.Errorf("stories = %d", n)
		}
	})
	t.Run("a site with stories of its own is refused", func(t *testing.T) {
		into := newID()
		postgrestest.Exec(t, dst, `INSERT INTO sites (id, name, allowed_origins, settings) VALUES ($1, 'Busy', '{}', '{}')`, into)
		postgrestest.Exec(t, dst, `INSERT INTO stories (id, site_id, url) VALUES ($1, $2, 'https://busy.example/')`, newID(), into)
		if _, err := importInto(postgres.NewSiteMoveStore(dst), into, file); parley.ErrorCode(err) != parley.ECONFLICT {
			t.Errorf("err = %v, want ECONFLICT", err)
		}
	})
}

// crashing fails the batch after a number of them, as a process killed mid-import would.
type crashing struct {
	parley.SiteImportStore
	after, n int
}

var errCrash = errors.New("crash")

func (c *crashing) ImportSiteRecords(ctx context.Context, siteID, source string, b parley.PortableBatch) (int, []string, error) {
	if c.n++; c.n > c.after {
		return 0, nil, errCrash
	}
	return c.SiteImportStore.ImportSiteRecords(ctx, siteID, source, b)
}

func TestImportRefusesBadFiles(t *testing.T) {
	c := MustPopulatedSite(t, "2")
	good := MustExport(t, c.siteID)
	// Each bad file names a site this instance does not have, so a file that wrote anything
	// would at least make it.
	good = bytes.ReplaceAll(good, []byte(c.siteID), []byte(newID()))
	bodyAt := bytes.Index(good, []byte("<p>deep</p>"))
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"a truncated file", good[:len(good)*2/3], "truncated"},
		{"a file cut between records", append(bytes.Clone(good[:bytes.Index(good, []byte(`"revisions"`))]), []byte(`"end":{"counts":{}}}`)...), "end counts"},
		{"another version", bytes.Replace(good, []byte(`"version":1`), []byte(`"version":2`), 1), "version 2"},
		{"another format", bytes.Replace(good, []byte(`"parley-site"`), []byte(`"disqus"`), 1), "format"},
		{"invalid UTF-8", append(append(bytes.Clone(good[:bodyAt+3]), 0xff, 0xfe), good[bodyAt+3:]...), "not UTF-8"},
		{"a record with a bad status", bytes.Replace(good, []byte(`"status":"REJECTED"`), []byte(`"status":"GONE"`), 1), "status GONE"},
		{"not JSON", []byte("<?xml version='1.0'?>"), "byte"},
		{"an empty file", nil, "truncated"},
	} {
		t.Run(tc.name+" is INVALID with its position and writes nothing", func(t *testing.T) {
			before := tableCounts(t, dst)
			_, err := importInto(postgres.NewSiteMoveStore(dst), "", tc.file)
			if parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			msg := parley.ErrorMessage(err)
			if !strings.Contains(msg, "at byte ") || !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not say where and %q", msg, tc.want)
			}
			if diff := cmp.Diff(before, tableCounts(t, dst)); diff != "" {
				t.Errorf("counts (-before +after):\n%s", diff)
			}
		})
	}
}

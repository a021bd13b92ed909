package portable_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// src and dst are two instances' databases: a site is exported from the first and imported
// into the second.
var src, dst *postgres.DB

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		os.Exit(m.Run()) // a fuzzing worker runs FuzzSiteFile only, which needs no database
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	var cleanups []func()
	for _, db := range []**postgres.DB{&src, &dst} {
		d, cleanup, err := postgrestest.OpenDB(ctx)
		if err != nil {
			cancel()
			postgrestest.Unavailable(err)
		}
		*db = d
		cleanups = append(cleanups, cleanup)
	}
	cancel()
	code := m.Run()
	for _, c := range cleanups {
		c()
	}
	os.Exit(code)
}

var cheap = auth.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// accounts returns the sign-in service of db.
func accounts(db *postgres.DB) *auth.Service {
	return auth.NewService(postgres.NewAccountStore(db), auth.Options{Password: cheap})
}

// cast is a populated site on src: who and what it holds.
type cast struct {
	siteID                                string
	member, reader, unverified, moderator string
	guest                                 string
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// MustPopulatedSite makes a site on src with a bit of everything: threads three deep, every
// status, a revision, reactions, a report, a sanction, a note, a word list, a rule, a trust
// level, a guest, and accounts with verified and unverified emails.
func MustPopulatedSite(tb testing.TB, tag string) cast {
	tb.Helper()
	ctx := context.Background()
	c := cast{siteID: newID()}
	settings, _ := json.Marshal(parley.DefaultSiteSettings())
	postgrestest.Exec(tb, src, `INSERT INTO sites (id, name, allowed_origins, settings, sso_secret) VALUES ($1, 'The Gazette', '{https://gazette.example}', $2, 'sso-secret')`, c.siteID, settings)
	p, err := accounts(src).SignUp(ctx, parley.SignUpInput{Email: "member" + tag + "@example.org", Username: "member" + tag, Password: "correct horse battery"})
	if err != nil {
		tb.Fatal(err)
	}
	c.member = p.User.ID
	postgrestest.Exec(tb, src, `UPDATE users SET email_verified_at = now() WHERE id = $1`, c.member)
	c.reader, c.unverified, c.moderator, c.guest = newID(), newID(), newID(), newID()
	postgrestest.Exec(tb, src, `INSERT INTO users (id, username, email, email_verified_at) VALUES ($1, 'reader'||$2, 'shared'||$2||'@example.org', now())`, c.reader, tag)
	postgrestest.Exec(tb, src, `INSERT INTO users (id, username, email) VALUES ($1, 'unverified'||$2, 'claim'||$2||'@example.org')`, c.unverified, tag)
	postgrestest.Exec(tb, src, `INSERT INTO users (id, username, email) VALUES ($1, 'mod'||$2, 'mod'||$2||'@example.org')`, c.moderator, tag)
	// The moderator has deleted their account, and its erasure is due in a week.
	postgrestest.Exec(tb, src, `UPDATE users SET deletion_requested_at = now(), deletion_due_at = now() + interval '7 days' WHERE id = $1`, c.moderator)
	postgrestest.Exec(tb, src, `INSERT INTO users (id, username, guest, guest_name, guest_email) VALUES ($1, $2, true, 'Passer-by', 'passer@example.org')`, c.guest, "guest:"+c.guest)
	postgrestest.Exec(tb, src, `INSERT INTO site_roles (site_id, user_id, role) VALUES ($1, $2, 'MODERATOR'), ($1, $3, 'MEMBER')`, c.siteID, c.moderator, c.member)
	s1, s2 := newID(), newID()
	postgrestest.Exec(tb, src, `INSERT INTO stories (id, site_id, url, title, closed) VALUES ($1, $3, 'https://gazette.example/a', 'A', false), ($2, $3, 'https://gazette.example/b', 'B', true)`, s1, s2, c.siteID)
	type cm struct {
		id, story, parent, author, body, status string
	}
	root, reply, deep := newID(), newID(), newID()
	for i, x := range []cm{
		{root, s1, "", c.member, "<p>root</p>", "PUBLISHED"},
		{reply, s1, root, c.reader, "<p>reply</p>", "PUBLISHED"},
		{deep, s1, reply, c.unverified, "<p>deep</p>", "PUBLISHED"},
		{newID(), s1, root, c.reader, "<p>held</p>", "PENDING"},
		{newID(), s2, "", c.unverified, "<p>rejected</p>", "REJECTED"},
		{newID(), s2, "", c.member, "", "DELETED"},
		{newID(), s2, "", c.guest, "<p>guest's</p>", "PUBLISHED"},
	} {
		postgrestest.Exec(tb, src, `
			INSERT INTO comments (id, story_id, site_id, author_id, parent_id, root_id, depth, body, body_source, status, created_at)
			SELECT $1, $2, $3, $4, $5::uuid, coalesce((SELECT root_id FROM comments WHERE id = $5::uuid), $1),
				coalesce((SELECT depth + 1 FROM comments WHERE id = $5::uuid), 0), $6, $6, $7, now() - make_interval(mins => 10 - $8)`,
			x.id, x.story, c.siteID, x.author, nullable(x.parent), x.body, x.status, i)
	}
	postgrestest.Exec(tb, src, `INSERT INTO comment_revisions (id, comment_id, body, body_source, created_at) VALUES ($1, $2, 'first', 'first', now())`, newID(), root)
	postgrestest.Exec(tb, src, `INSERT INTO reactions (comment_id, user_id, kind) VALUES ($1, $2, 'respect'), ($1, $3, 'respect')`, root, c.reader, c.unverified)
	postgrestest.Exec(tb, src, `INSERT INTO reports (id, comment_id, user_id, reason, details) VALUES ($1, $2, $3, 'SPAM', 'ads')`, newID(), deep, c.member)
	postgrestest.Exec(tb, src, `INSERT INTO user_sanctions (id, user_id, site_id, kind, message, moderator_id) VALUES ($1, $2, $3, 'WARN', 'Be kind.', $4)`, newID(), c.unverified, c.siteID, c.moderator)
	postgrestest.Exec(tb, src, `INSERT INTO user_notes (id, user_id, site_id, moderator_id, body) VALUES ($1, $2, $3, $4, 'Argues in good faith.')`, newID(), c.reader, c.siteID, c.moderator)
	postgrestest.Exec(tb, src, `INSERT INTO word_lists (site_id, kind, terms, term_count, version) VALUES ($1, 'BANNED', 'spam
scam', 2, 'v1')`, c.siteID)
	postgrestest.Exec(tb, src, `INSERT INTO trust_levels (site_id, user_id, level, pinned) VALUES ($1, $2, 2, 2)`, c.siteID, c.reader)
	rule := newID()
	postgrestest.Exec(tb, src, `INSERT INTO rule_heads (rule_id, site_id, name, version) VALUES ($1, $2, 'no-links', 1)`, rule, c.siteID)
	postgrestest.Exec(tb, src, `INSERT INTO rule_versions (rule_id, version, site_id, name, expression, effect, shadow, retired, proposal_id, enacted_at)
		VALUES ($1, 1, $2, 'no-links', 'comment.links > 0', '{"kind":"HOLD"}', false, false, $3, now())`, rule, c.siteID, newID())
	return c
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// siteCounts counts what a site holds, table by table, with the counters import recomputes.
func siteCounts(tb testing.TB, db *postgres.DB, siteID string) map[string]int {
	tb.Helper()
	out := map[string]int{}
	for name, q := range map[string]string{
		"stories":           `SELECT count(*) FROM stories WHERE site_id = $1`,
		"comments":          `SELECT count(*) FROM comments WHERE site_id = $1`,
		"published":         `SELECT count(*) FROM comments WHERE site_id = $1 AND status = 'PUBLISHED'`,
		"pending":           `SELECT count(*) FROM comments WHERE site_id = $1 AND status = 'PENDING'`,
		"rejected":          `SELECT count(*) FROM comments WHERE site_id = $1 AND status = 'REJECTED'`,
		"deleted":           `SELECT count(*) FROM comments WHERE site_id = $1 AND status = 'DELETED'`,
		"replies":           `SELECT count(*) FROM comments WHERE site_id = $1 AND parent_id IS NOT NULL`,
		"depth":             `SELECT coalesce(max(depth), 0) FROM comments WHERE site_id = $1`,
		"revisions":         `SELECT count(*) FROM comment_revisions r JOIN comments c ON c.id = r.comment_id WHERE c.site_id = $1`,
		"reactions":         `SELECT count(*) FROM reactions r JOIN comments c ON c.id = r.comment_id WHERE c.site_id = $1`,
		"reports":           `SELECT count(*) FROM reports r JOIN comments c ON c.id = r.comment_id WHERE c.site_id = $1`,
		"sanctions":         `SELECT count(*) FROM user_sanctions WHERE site_id = $1`,
		"notes":             `SELECT count(*) FROM user_notes WHERE site_id = $1`,
		"word lists":        `SELECT count(*) FROM word_lists WHERE site_id = $1`,
		"trust levels":      `SELECT count(*) FROM trust_levels WHERE site_id = $1`,
		"roles":             `SELECT count(*) FROM site_roles WHERE site_id = $1`,
		"rules":             `SELECT count(*) FROM rule_versions WHERE site_id = $1`,
		"authors":           `SELECT count(DISTINCT author_id) FROM comments WHERE site_id = $1`,
		"comments by guest": `SELECT count(*) FROM comments c JOIN users u ON u.id = c.author_id WHERE c.site_id = $1 AND u.guest`,
	} {
		var n int
		if err := postgrestest.Pool(tb, db).QueryRow(context.Background(), q, siteID).Scan(&n); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		out[name] = n
	}
	return out
}

// counters sums the counters an import recomputes: replies shown, reactions, reports, and
// published comments per story.
func counters(tb testing.TB, db *postgres.DB, siteID string) [4]int {
	tb.Helper()
	var out [4]int
	err := postgrestest.Pool(tb, db).QueryRow(context.Background(), `SELECT
		(SELECT coalesce(sum(reply_count), 0) FROM comments WHERE site_id = $1),
		(SELECT coalesce(sum(reaction_count), 0) FROM comments WHERE site_id = $1),
		(SELECT coalesce(sum(report_count), 0) FROM comments WHERE site_id = $1),
		(SELECT coalesce(sum(count), 0) FROM story_comment_counts k JOIN stories s ON s.id = k.story_id WHERE s.site_id = $1)`,
		siteID).Scan(&out[0], &out[1], &out[2], &out[3])
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// tableCounts counts every row of the tables an import writes, instance-wide.
func tableCounts(tb testing.TB, db *postgres.DB) map[string]int {
	tb.Helper()
	out := map[string]int{}
	for _, t := range []string{"sites", "users", "site_roles", "stories", "comments", "comment_revisions", "reactions", "reports",
		"user_sanctions", "user_notes", "word_lists", "trust_levels", "rule_heads", "rule_versions", "import_keys", "outbox"} {
		var n int
		if err := postgrestest.Pool(tb, db).QueryRow(context.Background(), `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			tb.Fatal(err)
		}
		out[t] = n
	}
	return out
}

package postgres_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// testErasureScrubs gives a reader a trail of copies (events in the outbox, the trust ledger
// and a webhook's queue, mail, an import key, a failed sign-in), erases the account through
// the job, and then searches every column of every table for the reader's email, username
// and words. It runs inside TestAccountErasure, which owns the erasure job's runs.
func testErasureScrubs(t *testing.T, e *env, due, afterGrace time.Time) {
	ctx := context.Background()
	_, story := e.MustStory(t)
	reader := &parley.User{Username: "zed_erasure", Email: "zed.erasure@example.org"}
	if err := e.accounts.CreateUser(ctx, reader, ""); err != nil {
		t.Fatal(err)
	}
	rctx := parley.NewContextWithUser(ctx, reader)
	other, _ := e.MustUser(t)
	mine := e.MustComment(t, rctx, story.ID, "", "quokka first words")
	if _, err := e.comments.EditComment(rctx, parley.EditCommentInput{CommentID: mine.ID, Body: "quokka second words"}); err != nil {
		t.Fatal(err)
	}
	theirs := e.MustComment(t, other, story.ID, mine.ID, "a reply")
	if _, err := e.reports.ReportComment(rctx, parley.ReportInput{CommentID: theirs.ID, Reason: parley.ReportSpam, Details: "quokka details"}); err != nil {
		t.Fatal(err)
	}
	postgrestest.Exec(t, e.db, `INSERT INTO webhook_endpoints (id, site_id, url, kinds, secret) VALUES (gen_random_uuid(), $1, 'https://hooks.example/', $2, 's')`,
		story.SiteID, []string{parley.EventCommentCreated, parley.EventCommentEdited, parley.EventCommentReported})
	rows, err := e.db.Pool().Query(ctx, `SELECT id, kind, coalesce(site_id::text, ''), coalesce(story_id::text, ''), payload, created_at FROM outbox
		WHERE payload->>'authorID' = $1 OR payload->>'userID' = $1 OR payload->>'id' = $1`, reader.ID)
	if err != nil {
		t.Fatal(err)
	}
	var events []parley.OutboxEvent
	for rows.Next() {
		var oe parley.OutboxEvent
		if err := rows.Scan(&oe.ID, &oe.Kind, &oe.SiteID, &oe.StoryID, &oe.Payload, &oe.CreatedAt); err != nil {
			t.Fatal(err)
		}
		events = append(events, oe)
	}
	if len(events) < 4 {
		t.Fatalf("the reader's events = %d, want their sign-up, comment, edit and report", len(events))
	}
	hooks, trust := postgres.NewWebhookStore(e.db), postgres.NewTrustStore(e.db)
	for _, oe := range events {
		body, _ := json.Marshal(map[string]any{"id": oe.ID, "kind": oe.Kind, "siteID": oe.SiteID, "payload": oe.Payload})
		if oe.SiteID != "" {
			if _, err := hooks.EnqueueWebhookEvent(ctx, oe, body); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := trust.ApplyTrustEvent(ctx, oe, nil); err != nil {
			t.Fatal(err)
		}
	}
	postgrestest.Exec(t, e.db, `INSERT INTO account_tokens (hash, user_id, purpose, email, expires_at) VALUES (sha256('zed'::bytea), $1, 'email_change_new', 'zed.new@example.org', now() + interval '1 day')`, reader.ID)
	postgrestest.Exec(t, e.db, `INSERT INTO mail (id, to_address, subject, text_body) VALUES
		(gen_random_uuid(), 'Zed.Erasure@example.org', 'Hello zed_erasure', 'Hello zed_erasure'),
		(gen_random_uuid(), 'zed.new@example.org', 'Confirm', 'Confirm your new address')`)
	postgrestest.Exec(t, e.db, `INSERT INTO import_keys (site_id, source, kind, external_id, local_id, email) VALUES ($1, 'disqus', 'author', 'anon:zed.erasure@example.org', $2, 'zed.erasure@example.org')`, story.SiteID, reader.ID)
	postgrestest.Exec(t, e.db, `INSERT INTO sign_in_failures (key) VALUES ('signin:' || encode(sha256('zed_erasure'::bytea), 'hex'))`)
	needles := []string{"zed_erasure", "zed.erasure@example.org", "zed.new@example.org", "quokka"}
	if found := searchEverywhere(t, e, needles); len(found) == 0 {
		t.Fatal("the search finds nothing before the erasure: it would find nothing after either")
	}

	if err := e.accounts.ScheduleDeletion(ctx, reader.ID, due, false); err != nil {
		t.Fatal(err)
	}
	if n, err := e.accounts.EraseDueAccounts(ctx, afterGrace); err != nil || n != 1 {
		t.Fatalf("erased = %d, %v; want 1", n, err)
	}
	if found := searchEverywhere(t, e, needles); len(found) > 0 {
		t.Errorf("after erasure, still held: %s", strings.Join(found, "; "))
	}
	if n := e.count(t, `SELECT count(*) FROM outbox WHERE kind = 'comment.created' AND payload->>'id' = $1 AND payload->>'body' = ''`, mine.ID); n != 1 {
		t.Errorf("the comment.created event of the erased comment is not kept blanked (%d)", n)
	}
	if n := e.count(t, `SELECT count(*) FROM webhook_deliveries d JOIN webhook_events w ON w.event_id = d.event_id
		WHERE convert_from(w.body, 'UTF8')::jsonb->'payload'->>'id' = $1`, mine.ID); n == 0 {
		t.Error("the webhook deliveries of the erased comment's events are gone; they should stay, scrubbed")
	}
}

// searchEverywhere looks for each needle (case-insensitive) in every row of every table of
// the database, bytea columns read as text, and answers "table: needle" for each find.
func searchEverywhere(t *testing.T, e *env, needles []string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := e.db.Pool().Query(ctx, `
		SELECT c.relname, coalesce(array_agg(a.attname::text) FILTER (WHERE a.atttypid = 'bytea'::regtype), '{}')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		WHERE n.nspname = 'public' AND c.relkind = 'r' GROUP BY c.relname ORDER BY c.relname`)
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string][]string{}
	for rows.Next() {
		var name string
		var byteaCols []string
		if err := rows.Scan(&name, &byteaCols); err != nil {
			t.Fatal(err)
		}
		tables[name] = byteaCols
	}
	var found []string
	for table, byteaCols := range tables {
		text := `x::text`
		for _, c := range byteaCols {
			text += ` || ' ' || coalesce(encode(x.` + c + `, 'escape'), '')`
		}
		for _, needle := range needles {
			if n := e.count(t, `SELECT count(*) FROM `+table+` x WHERE strpos(lower(`+text+`), lower($1)) > 0`, needle); n > 0 {
				found = append(found, table+": "+needle)
			}
		}
	}
	return found
}

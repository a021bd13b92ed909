package trust_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// benchUsers makes n commenters for the benchmarks.
func benchUsers(tb testing.TB, e *env, n int) []*parley.User {
	users := make([]*parley.User, n)
	for i := range users {
		_, users[i] = e.MustUser(tb)
	}
	return users
}

// benchEvent is the i-th event of a busy site: mostly new comments, every third a reaction
// from another reader.
func benchEvent(tb testing.TB, site *parley.Site, story *parley.Story, users []*parley.User, i int) parley.OutboxEvent {
	author := users[i%len(users)].ID
	var p parley.EventPayload
	if i%3 == 2 {
		p = parley.ReactionAdded{CommentID: uuid.NewString(), AuthorID: author, UserID: users[(i+1)%len(users)].ID, ReactionKind: "respect", ReactionCount: 1}
	} else {
		p = parley.CommentCreated{CommentSnapshot: parley.CommentSnapshot{ID: uuid.NewString(), StoryID: story.ID, SiteID: site.ID,
			AuthorID: author, Status: parley.StatusPublished, Body: "<p>A comment.</p>", BodySource: "A comment.",
			CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour), Version: 1}}
	}
	payload, err := parley.EncodeEvent(p)
	if err != nil {
		tb.Fatal(err)
	}
	return parley.OutboxEvent{ID: uuid.NewString(), Kind: p.Kind(), SiteID: site.ID, StoryID: story.ID, Payload: payload, CreatedAt: time.Now()}
}

// BenchmarkConsumer measures the live consumer: events applied, guarded and their users'
// levels checked, one at a time (Handle, what a consumer keeping up does) and in runs of 100
// (HandleBatch, what it does with a backlog).
func BenchmarkConsumer(b *testing.B) {
	e := MustEnv(b)
	site, story := e.MustStory(b)
	users := benchUsers(b, e, 50)
	c := e.consumer(time.Now)
	ctx := context.Background()
	for _, run := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch=%d", run), func(b *testing.B) {
			events := make([]parley.OutboxEvent, b.N)
			for i := range events {
				events[i] = benchEvent(b, site, story, users, i)
			}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i += run {
				if err := c.HandleBatch(ctx, events[i:min(i+run, b.N)]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
		})
	}
}

// BenchmarkRecompute measures `parley trust recompute` of one site whose ledger holds
// 100,000 events (two comments for each reaction, over 100 users).
func BenchmarkRecompute(b *testing.B) {
	const n = 100_000
	e := MustEnv(b)
	site, story := e.MustStory(b)
	users := benchUsers(b, e, 100)
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	MustSeedLedger(b, e, site, story, ids, n)
	c := e.consumer(time.Now)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		got, err := c.Recompute(ctx, site.ID)
		if err != nil {
			b.Fatal(err)
		}
		if got != n {
			b.Fatal(fmt.Sprintf("recomputed %d events, want %d", got, n))
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// MustSeedLedger writes n events of a busy site straight into the trust ledger, as if the
// consumer had applied them: two comments for each reaction, over users.
func MustSeedLedger(tb testing.TB, e *env, site *parley.Site, story *parley.Story, ids []string, n int) {
	tb.Helper()
	postgrestest.Exec(tb, e.DB, `
		INSERT INTO trust_ledger (event_id, site_id, story_id, kind, payload, created_at)
		SELECT gen_random_uuid(), $1::uuid, $2::uuid,
			CASE WHEN g % 3 = 2 THEN 'reaction.added' ELSE 'comment.created' END,
			CASE WHEN g % 3 = 2 THEN jsonb_build_object('v', 1, 'commentID', gen_random_uuid(),
					'authorID', ($3::uuid[])[1 + g % 100], 'userID', ($3::uuid[])[1 + (g + 1) % 100], 'kind', 'respect', 'reactionCount', 1)
				ELSE jsonb_build_object('v', 1, 'id', gen_random_uuid(), 'storyID', $2::text, 'siteID', $1::text,
					'authorID', ($3::uuid[])[1 + g % 100], 'status', 'PUBLISHED', 'body', '<p>A comment.</p>',
					'bodySource', 'A comment.', 'createdAt', '2026-01-01T00:00:00Z'::timestamptz + g * interval '1 hour', 'version', 1) END,
			now()
		FROM generate_series(1, $4::int) g`, site.ID, story.ID, ids, n)
}

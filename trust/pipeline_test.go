package trust_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/postgres"
)

// levelSeen is a pipeline that remembers the author's trust level of the last submission it
// judged, and passes it on to the default pipeline.
type levelSeen struct {
	parley.Moderator
	mu    sync.Mutex
	level parley.TrustLevel
}

func (m *levelSeen) Moderate(ctx context.Context, s *parley.Submission) (*parley.Moderation, error) {
	m.mu.Lock()
	m.level = s.History.TrustLevel
	m.mu.Unlock()
	return m.Moderator.Moderate(ctx, s)
}

func TestLevelReachesThePipeline(t *testing.T) {
	e := MustEnv(t)
	site, story := e.MustStory(t)
	ctx, u := e.MustUser(t)
	seen := &levelSeen{Moderator: moderation.Default()}
	comments := moderation.NewCommentService(postgres.NewCommentService(e.DB, markup.NewRenderer()), seen)
	post := func() parley.TrustLevel {
		t.Helper()
		if _, err := comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: story.ID, Body: "Judged with my standing."}); err != nil {
			t.Fatal(err)
		}
		seen.mu.Lock()
		defer seen.mu.Unlock()
		return seen.level
	}
	if got := post(); got != parley.TrustNew {
		t.Fatalf("a new author's level = %d, want 0", got)
	}
	pinned := parley.TrustRegular
	err := e.store.SetTrustLevel(context.Background(), parley.TrustRecord{Level: pinned, Pinned: &pinned},
		parley.TrustChange{SiteID: site.ID, UserID: u.ID, From: parley.TrustNew, To: pinned, Reason: "test", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if got := post(); got != parley.TrustRegular {
		t.Fatalf("after a pin the pipeline saw level %d, want 3", got)
	}
}

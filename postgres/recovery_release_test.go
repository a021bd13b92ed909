package postgres_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
)

// MustHeld posts a comment as ctx's user, held by the stage named decidedBy.
func (e *env) MustHeld(tb testing.TB, ctx context.Context, storyID, parentID, body, decidedBy string) *parley.Comment {
	tb.Helper()
	d, err := e.comments.PrepareComment(ctx, parley.CreateCommentInput{StoryID: storyID, ParentID: parentID, Body: body})
	if err != nil {
		tb.Fatal(err)
	}
	c, err := e.comments.InsertComment(ctx, d, &parley.Moderation{Decision: parley.DecisionHold, DecidedBy: decidedBy,
		Trail: []parley.StageResult{{Stage: decidedBy, Verdict: parley.Verdict{Decision: parley.DecisionHold}}}})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// MustVerifyToken stores a verification token for u's address and returns its hash.
func MustVerifyToken(tb testing.TB, store *postgres.RecoveryStore, u *parley.User) []byte {
	tb.Helper()
	hash := make([]byte, 32)
	rand.Read(hash)
	err := store.IssueAccountTokens(context.Background(),
		[]*parley.AccountToken{{Hash: hash, UserID: u.ID, Purpose: parley.TokenVerifyEmail, Email: u.Email, ExpiresAt: time.Now().Add(time.Hour)}},
		[]*parley.Mail{{To: u.Email, Subject: "Verify", Text: "link"}})
	if err != nil {
		tb.Fatal(err)
	}
	return hash
}

func TestVerifyEmailReleasesHeldComments(t *testing.T) {
	e := MustEnv(t)
	ctx := context.Background()
	store := postgres.NewRecoveryStore(e.db)
	_, story := e.MustStory(t)
	readerCtx, _ := e.MustUser(t)
	authorCtx, author := e.MustUser(t)
	parent := e.MustComment(t, readerCtx, story.ID, "", "The parent, published.")

	onlyEmail := e.MustHeld(t, authorCtx, story.ID, "", "Held only for the address.", parley.StageVerifiedEmail)
	reply := e.MustHeld(t, authorCtx, story.ID, parent.ID, "A reply held only for the address.", parley.StageVerifiedEmail)
	premod := e.MustHeld(t, authorCtx, story.ID, "", "Held by the site's pre-moderation.", "premod_all")
	undone := e.MustHeld(t, authorCtx, story.ID, "", "Approved, then the approval undone.", parley.StageVerifiedEmail)
	queues := postgres.NewQueueService(e.db)
	if _, err := queues.ApproveComment(e.admin, parley.ModerateInput{CommentID: undone.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := queues.UndoModeration(e.admin, undone.ID); err != nil {
		t.Fatal(err)
	}
	before, err := e.stories.FindStoryByID(ctx, story.ID)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := store.VerifyEmail(ctx, MustVerifyToken(t, store, author), time.Now()); err != nil {
		t.Fatal(err)
	}

	t.Run("comments held only for the address are published, the others stay held", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			c    *parley.Comment
			want parley.CommentStatus
		}{
			{"a first comment", onlyEmail, parley.StatusPublished},
			{"a reply", reply, parley.StatusPublished},
			{"one whose approval was undone", undone, parley.StatusPublished},
			{"one held by pre-moderation", premod, parley.StatusPending},
		} {
			c, err := e.comments.FindCommentByID(e.admin, tc.c.ID)
			if err != nil || c.Status != tc.want {
				t.Errorf("%s: %v (%v), want %s", tc.name, c, err, tc.want)
			}
		}
	})

	t.Run("each release is an approval without moderator, logged with its event", func(t *testing.T) {
		n := e.count(t, `SELECT count(*) FROM outbox WHERE kind = 'comment.moderated' AND payload->>'authorID' = $1
			AND payload->>'action' = 'APPROVE' AND payload->>'reason' = $2 AND payload->>'moderatorID' = ''
			AND payload->>'status' = 'PUBLISHED' AND payload->>'previousStatus' = 'PENDING'`, author.ID, parley.ReasonEmailVerified)
		if n != 3 {
			t.Errorf("comment.moderated events = %d, want 3", n)
		}
		if n := e.count(t, `SELECT count(*) FROM moderator_actions WHERE comment_id = ANY($1) AND moderator_id IS NULL AND reason = $2`,
			[]string{onlyEmail.ID, reply.ID, undone.ID, premod.ID}, parley.ReasonEmailVerified); n != 3 {
			t.Errorf("log entries = %d, want 3", n)
		}
	})

	t.Run("the story's count and the parent's replies follow", func(t *testing.T) {
		after, err := e.stories.FindStoryByID(ctx, story.ID)
		if err != nil || after.CommentCount != before.CommentCount+3 {
			t.Errorf("comment count %d -> %v (%v), want +3", before.CommentCount, after, err)
		}
		p, err := e.comments.FindCommentByID(ctx, parent.ID)
		if err != nil || p.ReplyCount != 1 {
			t.Errorf("parent's replies = %v (%v), want 1", p, err)
		}
	})

	t.Run("a second verification releases nothing more", func(t *testing.T) {
		if _, err := store.VerifyEmail(ctx, MustVerifyToken(t, store, author), time.Now()); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, `SELECT count(*) FROM moderator_actions WHERE reason = $1 AND comment_id = ANY($2)`,
			parley.ReasonEmailVerified, []string{onlyEmail.ID, reply.ID, undone.ID, premod.ID}); n != 3 {
			t.Errorf("log entries = %d, want 3", n)
		}
	})
}

func TestOIDCLinkReleasesHeldComments(t *testing.T) {
	e := MustEnv(t)
	ctx := context.Background()
	oidc := postgres.NewOIDCStore(e.db)
	site, story := e.MustStory(t)
	authorCtx, author := e.MustUser(t)
	held := e.MustHeld(t, authorCtx, story.ID, "", "Held until the address is known good.", parley.StageVerifiedEmail)
	p := &parley.OIDCProvider{SiteID: site.ID, Name: "Newsroom", Issuer: "https://login.example.org", ClientID: "parley", ClientSecret: "s"}
	if err := oidc.AddOIDCProvider(ctx, p); err != nil {
		t.Fatal(err)
	}
	hash := make([]byte, 32)
	rand.Read(hash)
	if err := oidc.SaveOIDCPendingLink(ctx, &parley.OIDCPendingLink{Hash: hash, ProviderID: p.ID, Subject: "s-" + author.ID,
		UserID: author.ID, Origin: "https://news.example.org", Email: author.Email, ExpiresAt: time.Now().Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, err := oidc.TakeOIDCPendingLink(ctx, hash, time.Now()); err != nil {
		t.Fatal(err)
	}
	c, err := e.comments.FindCommentByID(ctx, held.ID)
	if err != nil || c.Status != parley.StatusPublished {
		t.Errorf("held comment after linking a provider that verified the address: %v (%v), want published", c, err)
	}
}

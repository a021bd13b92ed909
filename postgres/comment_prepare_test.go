package postgres_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

func TestDraftsAndRacedWrites(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	site, story := e.MustStory(t)
	author, authorUser := e.MustUser(t)
	mod, modUser := e.MustUser(t)
	if err := e.users.SetSiteRole(e.admin, site.ID, modUser.ID, parley.RoleModerator); err != nil {
		t.Fatal(err)
	}
	queues := postgres.NewQueueService(e.db)

	t.Run("a draft carries what the pipeline judges", func(t *testing.T) {
		e.MustComment(t, author, story.ID, "", "an earlier comment")
		parent := e.MustComment(t, mod, story.ID, "", "the moderator's comment")
		// The recent decisions are read only where a rejection rate holds comments.
		d, err := e.comments.PrepareComment(author, parley.CreateCommentInput{StoryID: story.ID, Body: "something new"})
		if err != nil || d.History.Published < 1 || d.History.RecentTotal != 0 {
			t.Fatalf("draft on a site holding on no rejection rate: %+v, %v", d, err)
		}
		rate := 0.5
		if _, err := e.sites.UpdateSiteSettings(e.admin, site.ID, parley.SiteSettingsUpdate{HoldRejectionRate: &rate}); err != nil {
			t.Fatal(err)
		}
		d, err = e.comments.PrepareComment(author, parley.CreateCommentInput{StoryID: story.ID, ParentID: parent.ID, Body: "  an earlier comment "})
		if err != nil {
			t.Fatal(err)
		}
		c := d.Comment
		if c.ParentID != parent.ID || c.RootID != parent.ID || c.Depth != 1 || c.BodySource != "an earlier comment" || c.Body == "" {
			t.Fatalf("comment = %+v", c)
		}
		if d.Story.ID != story.ID || d.Author.ID != authorUser.ID || d.Role != parley.RoleCommenter || d.RepliedToAuthorID != modUser.ID {
			t.Fatalf("draft = %+v", d)
		}
		if h := d.History; h.Published < 1 || !h.SameBodyRecently || h.RecentTotal < 1 {
			t.Fatalf("history = %+v", h)
		}
		if n := e.count(t, `SELECT count(*) FROM comments WHERE id = $1`, c.ID); n != 0 {
			t.Fatal("preparing wrote the comment")
		}
	})
	t.Run("an edit prepared before another edit landed is a conflict", func(t *testing.T) {
		c := e.MustComment(t, author, story.ID, "", "version one")
		d, err := e.comments.PrepareEdit(author, parley.EditCommentInput{CommentID: c.ID, Body: "from the first tab"})
		if err != nil || d.Version != c.Version || d.Unchanged() {
			t.Fatalf("draft = %+v, %v", d, err)
		}
		if _, err := e.comments.EditComment(author, parley.EditCommentInput{CommentID: c.ID, Body: "from the second tab"}); err != nil {
			t.Fatal(err)
		}
		_, err = e.comments.UpdateComment(context.Background(), d, nil)
		wantCode(t, err, parley.ECONFLICT)
		now, err := e.comments.FindCommentByID(author, c.ID)
		if err != nil || now.BodySource != "from the second tab" {
			t.Fatalf("comment = %+v, %v", now, err)
		}
		if n := e.count(t, `SELECT count(*) FROM comment_revisions WHERE comment_id = $1`, c.ID); n != 1 {
			t.Fatalf("revisions = %d, want the second tab's only", n)
		}
	})
	t.Run("an edit prepared before a moderator's decision is a conflict", func(t *testing.T) {
		c := e.MustComment(t, author, story.ID, "", "before the decision")
		d, err := e.comments.PrepareEdit(author, parley.EditCommentInput{CommentID: c.ID, Body: "after the decision"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := queues.RejectComment(mod, parley.ModerateInput{CommentID: c.ID, Reason: parley.RejectOffTopic}); err != nil {
			t.Fatal(err)
		}
		_, err = e.comments.UpdateComment(context.Background(), d, nil)
		wantCode(t, err, parley.ECONFLICT)
		if now, err := e.comments.FindCommentByID(mod, c.ID); err != nil || now.Status != parley.StatusRejected || now.BodySource != "before the decision" {
			t.Fatalf("comment = %+v, %v", now, err)
		}
	})
	t.Run("an edit of a comment deleted meanwhile is a conflict", func(t *testing.T) {
		c := e.MustComment(t, author, story.ID, "", "soon gone")
		d, err := e.comments.PrepareEdit(author, parley.EditCommentInput{CommentID: c.ID, Body: "too late"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.comments.DeleteComment(author, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.comments.UpdateComment(context.Background(), d, nil)
		wantCode(t, err, parley.ECONFLICT)
	})
	t.Run("a held edit of a reply leaves the counts of others and stays in its author's", func(t *testing.T) {
		_, story := e.MustStory(t)
		parent := e.MustComment(t, mod, story.ID, "", "parent")
		reply := e.MustComment(t, author, story.ID, parent.ID, "reply")
		d, err := e.comments.PrepareEdit(author, parley.EditCommentInput{CommentID: reply.ID, Body: "reply, held"})
		if err != nil {
			t.Fatal(err)
		}
		held, err := e.comments.UpdateComment(context.Background(), d, &parley.Moderation{Decision: parley.DecisionHold, DecidedBy: "test"})
		if err != nil || held.Status != parley.StatusPending || held.Version != reply.Version+1 {
			t.Fatalf("edit = %+v, %v", held, err)
		}
		p, err := e.comments.FindCommentByID(context.Background(), parent.ID)
		if err != nil || p.ReplyCount != 0 || p.SharedReplyCount != 0 {
			t.Fatalf("parent as a reader finds it = %+v, %v", p, err)
		}
		p, err = e.comments.FindCommentByID(author, parent.ID)
		if err != nil || p.ReplyCount != 1 || p.SharedReplyCount != 0 {
			t.Fatalf("parent as the reply's author finds it = %+v, %v", p, err)
		}
		st, err := e.stories.FindStoryByID(context.Background(), story.ID)
		if err != nil || st.CommentCount != 1 {
			t.Fatalf("story count = %d, %v", st.CommentCount, err)
		}
		records, err := e.comments.FindModerations(e.admin, reply.ID)
		if err != nil || len(records) != 1 || records[0].Action != parley.ActionEdit || records[0].DecidedBy != "test" {
			t.Fatalf("records = %+v, %v", records, err)
		}
	})
	t.Run("the same body again is an unchanged draft", func(t *testing.T) {
		c := e.MustComment(t, author, story.ID, "", "steady")
		d, err := e.comments.PrepareEdit(author, parley.EditCommentInput{CommentID: c.ID, Body: "steady "})
		if err != nil || !d.Unchanged() {
			t.Fatalf("draft = %+v, %v", d, err)
		}
	})
}

// TestDraftRoundTrips counts the queries of preparing, on a database of its own so that no
// other test's queries are counted: one round trip, also for a reply past the depth cap.
func TestDraftRoundTrips(t *testing.T) {
	t.Parallel()
	db := postgrestest.MustOpenDB(t)
	accounts, comments := postgres.NewAccountStore(db), postgres.NewCommentService(db, markup.NewRenderer())
	admin := &parley.User{Username: "admin", Email: "admin@example.org", Admin: true}
	author := &parley.User{Username: "author", Email: "author@example.org"}
	for _, u := range []*parley.User{admin, author} {
		if err := accounts.CreateUser(context.Background(), u, ""); err != nil {
			t.Fatal(err)
		}
	}
	adminCtx, authorCtx := parley.NewContextWithUser(context.Background(), admin), parley.NewContextWithUser(context.Background(), author)
	if _, err := postgres.NewSiteService(db).CreateSite(adminCtx, parley.CreateSiteInput{Name: "Rounds", AllowedOrigins: []string{"https://rounds.example.org"}}); err != nil {
		t.Fatal(err)
	}
	story, err := postgres.NewStoryService(db).FindStoryByURL(context.Background(), "https://rounds.example.org/a")
	if err != nil {
		t.Fatal(err)
	}
	parentID := ""
	var deepest *parley.Comment
	for range parley.DefaultSiteSettings().MaxDepth + 1 {
		deepest, err = comments.CreateComment(authorCtx, parley.CreateCommentInput{StoryID: story.ID, ParentID: parentID, Body: "level"})
		if err != nil {
			t.Fatal(err)
		}
		parentID = deepest.ID
	}
	for name, prepare := range map[string]func() (*parley.Draft, error){
		"new comment": func() (*parley.Draft, error) {
			return comments.PrepareComment(authorCtx, parley.CreateCommentInput{StoryID: story.ID, Body: "new"})
		},
		"reply past the depth cap": func() (*parley.Draft, error) {
			return comments.PrepareComment(authorCtx, parley.CreateCommentInput{StoryID: story.ID, ParentID: deepest.ID, Body: "deeper"})
		},
		"edit": func() (*parley.Draft, error) {
			return comments.PrepareEdit(authorCtx, parley.EditCommentInput{CommentID: deepest.ID, Body: "changed"})
		},
	} {
		before := db.QueryCount()
		d, err := prepare()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := db.QueryCount() - before; n != 1 {
			t.Errorf("%s: %d queries, want 1", name, n)
		}
		if d.Action == parley.ActionCreate && d.Comment.ParentID != "" && d.Comment.Depth != parley.DefaultSiteSettings().MaxDepth {
			t.Errorf("%s: placed at depth %d under %s", name, d.Comment.Depth, d.Comment.ParentID)
		}
	}
}

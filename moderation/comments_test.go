package moderation_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation"
)

func TestModeratedComments(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	comments := e.comments(moderation.Default())
	site, story := e.MustStory(t)
	yes := true
	if _, err := e.Sites.UpdateSiteSettings(e.Admin, site.ID, parley.SiteSettingsUpdate{PremodLinks: &yes}); err != nil {
		t.Fatal(err)
	}
	author, _ := e.MustUser(t)
	mod, modUser := e.MustUser(t)
	if err := e.Users.SetSiteRole(e.Admin, site.ID, modUser.ID, parley.RoleModerator); err != nil {
		t.Fatal(err)
	}
	create := func(ctx context.Context, body string) *parley.Comment {
		t.Helper()
		c, err := comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: story.ID, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	count := func() int {
		s, err := e.Stories.FindStoryByID(context.Background(), story.ID)
		if err != nil {
			t.Fatal(err)
		}
		return s.CommentCount
	}

	t.Run("a held comment is pending, uncounted, with its trail", func(t *testing.T) {
		before := count()
		c := create(author, "see https://example.org")
		if c.Status != parley.StatusPending || count() != before {
			t.Fatalf("status %s, count %d -> %d", c.Status, before, count())
		}
		records, err := comments.FindModerations(mod, c.ID)
		if err != nil || len(records) != 1 {
			t.Fatalf("records = %v, %v", records, err)
		}
		r := records[0]
		if r.Decision != parley.DecisionHold || r.DecidedBy != "premod_links" || r.Action != parley.ActionCreate {
			t.Fatalf("record = %+v", r)
		}
		if last := r.Trail[len(r.Trail)-1]; last.Stage != "premod_links" || last.Verdict.Flags[0] != moderation.FlagLinks {
			t.Fatalf("trail = %+v", r.Trail)
		}
	})
	t.Run("the trail is for moderators only", func(t *testing.T) {
		c := create(author, "plain words")
		_, err := comments.FindModerations(author, c.ID)
		wantCode(t, err, parley.EFORBIDDEN)
	})
	t.Run("a moderator's link is approved", func(t *testing.T) {
		c := create(mod, "official: https://example.org")
		if c.Status != parley.StatusPublished {
			t.Fatalf("status = %s", c.Status)
		}
	})
	t.Run("an edit that adds a link leaves public view", func(t *testing.T) {
		c := create(author, "harmless")
		before := count()
		edited, err := comments.EditComment(author, parley.EditCommentInput{CommentID: c.ID, Body: "now with https://spam.example"})
		if err != nil {
			t.Fatal(err)
		}
		if edited.Status != parley.StatusPending || count() != before-1 {
			t.Fatalf("status %s, count %d -> %d", edited.Status, before, count())
		}
		records, _ := comments.FindModerations(mod, c.ID)
		if len(records) != 2 || records[1].Action != parley.ActionEdit {
			t.Fatalf("records = %+v", records)
		}
	})
	t.Run("posting the same text twice rejects the second", func(t *testing.T) {
		create(author, "first!")
		c := create(author, "first!")
		if c.Status != parley.StatusRejected {
			t.Fatalf("status = %s", c.Status)
		}
	})
}

func TestStageStats(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	comments := e.comments(moderation.Default())
	queues := e.queues
	site, story := e.MustStory(t)
	if _, err := e.Sites.UpdateSiteSettings(e.Admin, site.ID, parley.SiteSettingsUpdate{
		Stages: []parley.StageSetting{{Stage: "premod_links", Shadow: true}}, PremodLinks: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	author, _ := e.MustUser(t)
	decide := func(body string, reject bool) {
		t.Helper()
		c, err := comments.CreateComment(author, parley.CreateCommentInput{StoryID: story.ID, Body: body})
		if err != nil || c.Status != parley.StatusPublished {
			t.Fatalf("create: %+v, %v (a shadow stage must not hold)", c, err)
		}
		if reject {
			_, err = queues.RejectComment(e.Admin, parley.ModerateInput{CommentID: c.ID, Reason: parley.RejectSpam})
		} else {
			_, err = queues.ApproveComment(e.Admin, parley.ModerateInput{CommentID: c.ID})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	decide("spam https://a.example", true)
	decide("more spam https://b.example", true)
	decide("a useful source https://c.example", false)
	decide("rude words, no link", true)
	MustComment(t, comments, author, story.ID, "nobody decided on this https://d.example")

	stats, err := queues.StageStats(e.Admin, site.ID)
	if err != nil || len(stats) != 1 {
		t.Fatalf("stats = %v, %v", stats, err)
	}
	st := *stats[0]
	if st.Stage != "premod_links" || st.Decided != 4 || st.TruePositives != 2 || st.FalsePositives != 1 || st.FalseNegatives != 1 {
		t.Fatalf("stats = %+v", st)
	}
	if p, ok := st.Precision(); !ok || p < 0.66 || p > 0.67 {
		t.Fatalf("precision = %v", p)
	}
	if r, ok := st.Recall(); !ok || r < 0.66 || r > 0.67 {
		t.Fatalf("recall = %v", r)
	}
}

func TestStoryModeration(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	comments := e.comments(moderation.Default())
	site, story := e.MustStory(t)
	relaxed, err := e.Stories.FindStoryByURL(context.Background(), site.AllowedOrigins[0]+"/relaxed")
	if err != nil {
		t.Fatal(err)
	}
	plain, err := e.Stories.FindStoryByURL(context.Background(), site.AllowedOrigins[0]+"/plain")
	if err != nil {
		t.Fatal(err)
	}
	author, _ := e.MustUser(t)
	status := func(storyID, body string) parley.CommentStatus {
		t.Helper()
		c, err := comments.CreateComment(author, parley.CreateCommentInput{StoryID: storyID, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		return c.Status
	}
	pre := parley.StoryModerationPre
	if _, err := e.Stories.UpdateStory(e.Admin, story.ID, parley.StoryUpdate{Moderation: &pre}); err != nil {
		t.Fatal(err)
	}
	if got := status(story.ID, "held on a sensitive story"); got != parley.StatusPending {
		t.Fatalf("PRE story: %s", got)
	}
	// A site that holds links, with one story let off.
	yes, post := true, parley.StoryModerationPost
	if _, err := e.Sites.UpdateSiteSettings(e.Admin, site.ID, parley.SiteSettingsUpdate{PremodLinks: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Stories.UpdateStory(e.Admin, relaxed.ID, parley.StoryUpdate{Moderation: &post}); err != nil {
		t.Fatal(err)
	}
	if got := status(relaxed.ID, "a link https://ok.example on a POST story"); got != parley.StatusPublished {
		t.Fatalf("POST story: %s", got)
	}
	if got := status(plain.ID, "a link https://held.example on a SITE story"); got != parley.StatusPending {
		t.Fatalf("SITE story: %s", got)
	}
	bad := parley.StoryModeration("LAX")
	_, err = e.Stories.UpdateStory(e.Admin, story.ID, parley.StoryUpdate{Moderation: &bad})
	wantCode(t, err, parley.EINVALID)
}

package graph_test

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/postgres/postgrestest"
)

func TestStoriesCloseByThemselves(t *testing.T) {
	t.Parallel()
	w := shared.MustWorld(t)
	const settings = `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { settings { autoCloseAfterDays } } }`
	const story = `query($id: ID) { story(id: $id) { closed closesAt createdAt } }`
	type storyJSON struct {
		Story struct {
			Closed    bool
			ClosesAt  *time.Time
			CreatedAt time.Time
		}
	}
	read := func(t *testing.T) storyJSON {
		t.Helper()
		var out storyJSON
		shared.anonymous().MustDo(t, story, map[string]any{"id": w.StoryID}, &out)
		return out
	}

	t.Run("refuses a negative or huge number of days, naming the field", func(t *testing.T) {
		for _, days := range []int{-1, 3651} {
			r := w.Admin.MustFail(t, "INVALID", settings, in("siteID", w.Site.ID, "autoCloseAfterDays", days))
			if f := r.Errors[0].Extensions["field"]; f != "autoCloseAfterDays" {
				t.Errorf("field = %v", f)
			}
		}
	})

	t.Run("keeps a young story open and says when it closes", func(t *testing.T) {
		w.Admin.MustDo(t, settings, in("siteID", w.Site.ID, "autoCloseAfterDays", 3, "closedMessage", "Discussion closed after three days."), nil)
		s := read(t).Story
		if s.Closed || s.ClosesAt == nil || !s.ClosesAt.Equal(s.CreatedAt.AddDate(0, 0, 3)) {
			t.Errorf("story = %+v, want open until three days after %v", s, s.CreatedAt)
		}
	})

	t.Run("closes the story once the days have passed, with the site's closed message", func(t *testing.T) {
		postgrestest.Exec(t, shared.DB, `UPDATE stories SET created_at = created_at - interval '4 days' WHERE id = $1`, w.StoryID)
		if !read(t).Story.Closed {
			t.Fatal("the story is still open")
		}
		r := w.Author.MustFail(t, "CLOSED", `mutation($in: CreateCommentInput!) { createComment(input: $in) { comment { id } } }`,
			in("storyID", w.StoryID, "body", "Too late?"))
		if r.Errors[0].Message != "Discussion closed after three days." {
			t.Errorf("message = %q", r.Errors[0].Message)
		}
		w.Author.MustFail(t, "CLOSED", `mutation($in: EditCommentInput!) { editComment(input: $in) { comment { id } } }`,
			in("commentID", w.CommentID, "body", "Edited late"))
	})

	t.Run("lists the story among the closed ones", func(t *testing.T) {
		var out struct {
			Stories struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		w.Moderator.MustDo(t, `query($id: ID!) { stories(siteID: $id, closed: true) { edges { node { id } } } }`, map[string]any{"id": w.Site.ID}, &out)
		if len(out.Stories.Edges) != 1 || out.Stories.Edges[0].Node.ID != w.StoryID {
			t.Errorf("closed stories = %+v", out.Stories.Edges)
		}
		w.Moderator.MustDo(t, `query($id: ID!) { stories(siteID: $id, closed: false) { edges { node { id } } } }`, map[string]any{"id": w.Site.ID}, &out)
		if len(out.Stories.Edges) != 0 {
			t.Errorf("open stories = %+v", out.Stories.Edges)
		}
	})

	t.Run("reopens the story for another period when a moderator opens it", func(t *testing.T) {
		var out struct {
			UpdateStory struct {
				Closed   bool
				ClosesAt *time.Time
			}
		}
		w.Moderator.MustDo(t, `mutation($in: UpdateStoryInput!) { updateStory(input: $in) { closed closesAt } }`,
			in("storyID", w.StoryID, "closed", false), &out)
		if out.UpdateStory.Closed || out.UpdateStory.ClosesAt == nil || time.Until(*out.UpdateStory.ClosesAt) < 47*time.Hour {
			t.Errorf("reopened story = %+v, want open for about three more days", out.UpdateStory)
		}
		w.Author.MustComment(t, w.StoryID, "", "Open again.")
	})

	t.Run("keeps stories open once the setting is back to 0", func(t *testing.T) {
		postgrestest.Exec(t, shared.DB, `UPDATE stories SET open_since = open_since - interval '10 days' WHERE id = $1`, w.StoryID)
		if !read(t).Story.Closed {
			t.Fatal("the story did not close again")
		}
		w.Admin.MustDo(t, settings, in("siteID", w.Site.ID, "autoCloseAfterDays", 0), nil)
		if s := read(t).Story; s.Closed || s.ClosesAt != nil {
			t.Errorf("story = %+v, want open for good", s)
		}
	})
}

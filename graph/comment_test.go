package graph_test

import (
	"testing"
	"time"
)

type commentJSON struct {
	ID         string
	Body       string
	BodySource string
	Status     string
	Depth      int
	ReplyCount int
	CreatedAt  time.Time
	EditedAt   *time.Time
	Author     *struct{ ID, Username string }
	Parent     *struct{ ID string }
	Story      *struct{ ID string }
	Reactions  []reactionJSON
	Revisions  []struct{ ID, Body, BodySource string }
}

type reactionJSON struct {
	Kind          string
	Count         int
	ViewerReacted bool
}

const commentFields = `id body bodySource status depth replyCount createdAt editedAt
	author { id username } parent { id } story { id } reactions { kind count viewerReacted }`

const (
	createComment  = `mutation($in: CreateCommentInput!) { createComment(input: $in) { comment { ` + commentFields + ` } } }`
	editComment    = `mutation($in: EditCommentInput!) { editComment(input: $in) { comment { ` + commentFields + ` revisions { id body bodySource } } } }`
	deleteComment  = `mutation($in: DeleteCommentInput!) { deleteComment(input: $in) { comment { ` + commentFields + ` } } }`
	addReaction    = `mutation($in: ReactionInput!) { addReaction(input: $in) { comment { ` + commentFields + ` } } }`
	removeReaction = `mutation($in: ReactionInput!) { removeReaction(input: $in) { comment { ` + commentFields + ` } } }`
	reportComment  = `mutation($in: ReportInput!) { reportComment(input: $in) { comment { id } } }`
	readComment    = `query($id: ID!) { comment(id: $id) { ` + commentFields + ` } }`
)

func in(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return map[string]any{"in": m}
}

func TestCreateComment(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)

	t.Run("renders Markdown and links author and story", func(t *testing.T) {
		var out struct{ CreateComment struct{ Comment commentJSON } }
		w.Author.MustDo(t, createComment, in("storyID", w.StoryID, "body", "  Hello *world* <script>x</script> "), &out)
		c := out.CreateComment.Comment
		if c.Status != "PUBLISHED" || c.BodySource != "Hello *world* <script>x</script>" || !contains(c.Body, "<em>world</em>") || contains(c.Body, "<script") {
			t.Errorf("comment = %+v", c)
		}
		if c.Author == nil || c.Author.ID != w.Author.User.ID || c.Story == nil || c.Story.ID != w.StoryID || c.Parent != nil || c.Depth != 0 {
			t.Errorf("links = author %v, story %v, parent %v, depth %d", c.Author, c.Story, c.Parent, c.Depth)
		}
	})
	t.Run("by story URL creates the story", func(t *testing.T) {
		var out struct{ CreateComment struct{ Comment commentJSON } }
		w.Other.MustDo(t, createComment, in("storyURL", w.Site.Origin+"/"+unique("new-article"), "body", "first"), &out)
		if out.CreateComment.Comment.Story == nil {
			t.Error("story = null")
		}
	})
	t.Run("an explicit null parent is a top-level comment", func(t *testing.T) {
		var out struct{ CreateComment struct{ Comment commentJSON } }
		w.Other.MustDo(t, createComment, in("storyID", w.StoryID, "parentID", nil, "body", "top level"), &out)
		if c := out.CreateComment.Comment; c.Parent != nil || c.Depth != 0 {
			t.Errorf("comment = %+v", c)
		}
	})
	t.Run("reply links its parent", func(t *testing.T) {
		var out struct{ CreateComment struct{ Comment commentJSON } }
		w.Other.MustDo(t, createComment, in("storyID", w.StoryID, "parentID", w.CommentID, "body", "reply"), &out)
		c := out.CreateComment.Comment
		if c.Parent == nil || c.Parent.ID != w.CommentID || c.Depth != 1 {
			t.Errorf("reply = %+v", c)
		}
		var parent struct{ Comment commentJSON }
		s.anonymous().MustDo(t, readComment, map[string]any{"id": w.CommentID}, &parent)
		if parent.Comment.ReplyCount < 1 {
			t.Errorf("replyCount = %d", parent.Comment.ReplyCount)
		}
	})
	t.Run("reply beyond the depth cap attaches at the last level", func(t *testing.T) {
		st := s.MustCreateSite(t, w.Admin)
		w.Admin.MustDo(t, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { id } }`,
			in("siteID", st.ID, "maxDepth", 2), nil)
		story := s.MustStory(t, st)
		ids := []string{w.Author.MustComment(t, story, "", "level 0")}
		for i := 1; i <= 4; i++ {
			ids = append(ids, w.Author.MustComment(t, story, ids[i-1], "deeper"))
		}
		var out struct{ Comment commentJSON }
		s.anonymous().MustDo(t, readComment, map[string]any{"id": ids[4]}, &out)
		if out.Comment.Depth != 2 || out.Comment.Parent == nil || out.Comment.Parent.ID != ids[1] {
			t.Errorf("deepest reply: depth %d, parent %v; want depth 2 under %s", out.Comment.Depth, out.Comment.Parent, ids[1])
		}
	})
	t.Run("parent from another story is invalid", func(t *testing.T) {
		other := s.MustStory(t, w.Site)
		r := w.Other.MustFail(t, "INVALID", createComment, in("storyID", other, "parentID", w.CommentID, "body", "x"))
		if r.Errors[0].Extensions["field"] != "parentID" {
			t.Errorf("extensions = %v", r.Errors[0].Extensions)
		}
	})
	t.Run("closed story is closed", func(t *testing.T) {
		story := s.MustStory(t, w.Site)
		w.Moderator.MustDo(t, `mutation($in: UpdateStoryInput!) { updateStory(input: $in) { id } }`, in("storyID", story, "closed", true), nil)
		w.Other.MustFail(t, "CLOSED", createComment, in("storyID", story, "body", "too late"))
	})
	t.Run("empty body is invalid", func(t *testing.T) {
		w.Other.MustFail(t, "INVALID", createComment, in("storyID", w.StoryID, "body", "   "))
	})
	t.Run("unknown story is not found", func(t *testing.T) {
		w.Other.MustFail(t, "NOT_FOUND", createComment, in("storyID", "0190a4e2-0000-7000-8000-000000000000", "body", "x"))
	})
	t.Run("no story is invalid", func(t *testing.T) {
		w.Other.MustFail(t, "INVALID", createComment, in("body", "x"))
	})
}

func TestEditComment(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)

	t.Run("keeps the old body as a revision", func(t *testing.T) {
		var out struct{ EditComment struct{ Comment commentJSON } }
		w.Author.MustDo(t, editComment, in("commentID", w.CommentID, "body", "First, edited"), &out)
		c := out.EditComment.Comment
		if c.BodySource != "First, edited" || c.EditedAt == nil {
			t.Errorf("comment = %+v", c)
		}
		if len(c.Revisions) != 1 || c.Revisions[0].BodySource != "First!" {
			t.Errorf("revisions = %+v", c.Revisions)
		}
	})
	t.Run("unknown comment is not found", func(t *testing.T) {
		w.Author.MustFail(t, "NOT_FOUND", editComment, in("commentID", "0190a4e2-0000-7000-8000-000000000000", "body", "x"))
	})
	t.Run("too long body names the field", func(t *testing.T) {
		long := make([]byte, 5001)
		for i := range long {
			long[i] = 'a'
		}
		r := w.Author.MustFail(t, "INVALID", editComment, in("commentID", w.CommentID, "body", string(long)))
		if r.Errors[0].Extensions["field"] != "body" {
			t.Errorf("extensions = %v", r.Errors[0].Extensions)
		}
	})
}

func TestDeleteComment(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	reply := w.Other.MustComment(t, w.StoryID, w.CommentID, "a reply")

	var out struct{ DeleteComment struct{ Comment commentJSON } }
	w.Author.MustDo(t, deleteComment, in("commentID", w.CommentID), &out)
	c := out.DeleteComment.Comment
	if c.Status != "DELETED" || c.Body != "" || c.BodySource != "" {
		t.Errorf("deleted comment = %+v", c)
	}
	t.Run("the reply keeps its parent", func(t *testing.T) {
		var r struct{ Comment commentJSON }
		s.anonymous().MustDo(t, readComment, map[string]any{"id": reply}, &r)
		if r.Comment.Parent == nil || r.Comment.Parent.ID != w.CommentID {
			t.Errorf("reply's parent = %v", r.Comment.Parent)
		}
	})
	t.Run("deleting again answers the tombstone", func(t *testing.T) {
		w.Author.MustDo(t, deleteComment, in("commentID", w.CommentID), &out)
		if out.DeleteComment.Comment.Status != "DELETED" {
			t.Errorf("status = %s", out.DeleteComment.Comment.Status)
		}
	})
	t.Run("editing a tombstone is not found", func(t *testing.T) {
		w.Author.MustFail(t, "NOT_FOUND", editComment, in("commentID", w.CommentID, "body", "back"))
	})
	t.Run("unknown comment is not found", func(t *testing.T) {
		w.Author.MustFail(t, "NOT_FOUND", deleteComment, in("commentID", "0190a4e2-0000-7000-8000-000000000000"))
	})
	t.Run("reactions on a tombstone are invalid", func(t *testing.T) {
		w.Other.MustFail(t, "INVALID", addReaction, in("commentID", w.CommentID, "kind", "respect"))
	})
}

func TestReactions(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)

	var out struct{ AddReaction struct{ Comment commentJSON } }
	w.Other.MustDo(t, addReaction, in("commentID", w.CommentID, "kind", "respect"), &out)
	w.Moderator.MustDo(t, addReaction, in("commentID", w.CommentID, "kind", "respect"), nil)
	w.Other.MustDo(t, addReaction, in("commentID", w.CommentID, "kind", "respect"), &out) // twice changes nothing

	t.Run("counts are per kind with the viewer's own", func(t *testing.T) {
		got := out.AddReaction.Comment.Reactions
		if len(got) != 1 || got[0] != (reactionJSON{Kind: "respect", Count: 2, ViewerReacted: true}) {
			t.Errorf("reactions = %+v", got)
		}
		var anon struct{ Comment commentJSON }
		s.anonymous().MustDo(t, readComment, map[string]any{"id": w.CommentID}, &anon)
		if r := anon.Comment.Reactions; len(r) != 1 || r[0].ViewerReacted || r[0].Count != 2 {
			t.Errorf("anonymous sees %+v", r)
		}
	})
	t.Run("removeReaction takes it back", func(t *testing.T) {
		var rm struct{ RemoveReaction struct{ Comment commentJSON } }
		w.Other.MustDo(t, removeReaction, in("commentID", w.CommentID, "kind", "respect"), &rm)
		if r := rm.RemoveReaction.Comment.Reactions; len(r) != 1 || r[0].Count != 1 || r[0].ViewerReacted {
			t.Errorf("reactions = %+v", r)
		}
	})
	t.Run("unknown kind names the field", func(t *testing.T) {
		r := w.Other.MustFail(t, "INVALID", addReaction, in("commentID", w.CommentID, "kind", "nope"))
		if r.Errors[0].Extensions["field"] != "kind" {
			t.Errorf("extensions = %v", r.Errors[0].Extensions)
		}
	})
}

func TestReportComment(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)

	t.Run("reports once", func(t *testing.T) {
		w.Other.MustDo(t, reportComment, in("commentID", w.CommentID, "reason", "SPAM"), nil)
		w.Other.MustFail(t, "CONFLICT", reportComment, in("commentID", w.CommentID, "reason", "ABUSIVE"))
	})
	t.Run("OTHER needs details", func(t *testing.T) {
		r := w.Moderator.MustFail(t, "INVALID", reportComment, in("commentID", w.CommentID, "reason", "OTHER"))
		if r.Errors[0].Extensions["field"] != "details" {
			t.Errorf("extensions = %v", r.Errors[0].Extensions)
		}
		w.Moderator.MustDo(t, reportComment, in("commentID", w.CommentID, "reason", "OTHER", "details", "Off-topic spam link."), nil)
	})
	t.Run("unknown reason is invalid", func(t *testing.T) {
		w.Admin.MustFail(t, "INVALID", reportComment, in("commentID", w.CommentID, "reason", "BORING"))
	})
}

func TestReadComment(t *testing.T) {
	t.Parallel()
	s := shared
	t.Run("unknown comment is not found", func(t *testing.T) {
		s.anonymous().MustFail(t, "NOT_FOUND", readComment, map[string]any{"id": "0190a4e2-0000-7000-8000-000000000000"})
	})
	t.Run("malformed ID is not found", func(t *testing.T) {
		s.anonymous().MustFail(t, "NOT_FOUND", readComment, map[string]any{"id": "'; DROP TABLE comments; --"})
	})
}

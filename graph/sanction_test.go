package graph_test

import (
	"testing"
)

func TestUserDrawer(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	target := s.MustSignUp(t)
	target.MustComment(t, w.StoryID, "", "something to look at")
	const drawer = `query($id: ID!, $site: ID!) { user(id: $id) { username
		sanctions(siteID: $site) { id kind message site { id } moderator { username } acknowledgedAt }
		notes(siteID: $site) { body moderator { username } }
		commentCounts(siteID: $site) { published pending rejected deleted }
		comments(siteID: $site, first: 10) { edges { node { id status } } } } }`
	vars := map[string]any{"id": target.User.ID, "site": w.Site.ID}
	w.Moderator.MustDo(t, `mutation($in: UserSanctionInput!) { warnUser(input: $in) { id } }`,
		in("userID", target.User.ID, "siteID", w.Site.ID, "message", "Please keep to the topic."), nil)
	w.Moderator.MustDo(t, `mutation($in: UserNoteInput!) { addUserNote(input: $in) { id } }`,
		in("userID", target.User.ID, "siteID", w.Site.ID, "body", "Warned once."), nil)

	type drawerJSON struct {
		User struct {
			Sanctions []struct {
				ID, Kind, Message string
				Moderator         struct{ Username string }
				AcknowledgedAt    *string
			}
			Notes         []struct{ Body string }
			CommentCounts struct{ Published int }
			Comments      struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
	}
	t.Run("a moderator sees sanctions, notes, counts and history", func(t *testing.T) {
		var out drawerJSON
		w.Moderator.MustDo(t, drawer, vars, &out)
		u := out.User
		if len(u.Sanctions) != 1 || u.Sanctions[0].Kind != "WARN" || u.Sanctions[0].Moderator.Username != w.Moderator.User.Username ||
			len(u.Notes) != 1 || u.CommentCounts.Published != 1 || len(u.Comments.Edges) != 1 {
			t.Fatalf("drawer = %+v", u)
		}
	})
	t.Run("the user reads and acknowledges their warning but not the notes", func(t *testing.T) {
		var out struct {
			User struct {
				Sanctions []struct{ ID, Message string }
			}
		}
		target.MustDo(t, `query($id: ID!, $site: ID!) { user(id: $id) { sanctions(siteID: $site) { id message } } }`, vars, &out)
		if len(out.User.Sanctions) != 1 {
			t.Fatalf("sanctions = %+v", out.User.Sanctions)
		}
		target.MustDo(t, `mutation($in: SanctionIDInput!) { acknowledgeSanction(input: $in) { acknowledgedAt } }`,
			in("sanctionID", out.User.Sanctions[0].ID), nil)
		target.MustFail(t, "FORBIDDEN", `query($id: ID!, $site: ID!) { user(id: $id) { notes(siteID: $site) { body } } }`, vars)
	})
	t.Run("another user cannot acknowledge it", func(t *testing.T) {
		var out drawerJSON
		w.Moderator.MustDo(t, drawer, vars, &out)
		w.Other.MustFail(t, "NOT_FOUND", `mutation($in: SanctionIDInput!) { acknowledgeSanction(input: $in) { id } }`,
			in("sanctionID", out.User.Sanctions[0].ID))
	})
	t.Run("a suspension needs a sane duration", func(t *testing.T) {
		w.Moderator.MustFail(t, "INVALID", `mutation($in: SuspendInput!) { suspendUser(input: $in) { id } }`,
			in("userID", target.User.ID, "siteID", w.Site.ID, "durationSeconds", 5))
	})
}

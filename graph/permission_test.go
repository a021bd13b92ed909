package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parleyhq/parley"
)

// actors of the permission matrix, in the order of each row's codes.
var actors = []string{"anonymous", "author", "other commenter", "moderator elsewhere", "moderator", "admin"}

func (w *world) actor(s *stack, name string) *client {
	switch name {
	case "author":
		return w.Author
	case "other commenter":
		return w.Other
	case "moderator elsewhere":
		return w.ModElsewhere
	case "moderator":
		return w.Moderator
	case "admin":
		return w.Admin
	}
	return s.anonymous()
}

// fresh returns the same user with a new session, for operations that end a session.
func (c *client) fresh(tb testing.TB) *client {
	tb.Helper()
	if c.User == nil {
		return c
	}
	p, err := c.s.Auth.SignIn(context.Background(), parley.SignInInput{Login: c.User.Username, Password: "correct horse battery"})
	if err != nil {
		tb.Fatal(err)
	}
	return &client{s: c.s, token: p.Token, User: c.User}
}

// TestPermissions runs every mutation as every kind of caller and checks the answer's code
// ("" for success). The services make these decisions; this pins them at the API.
func TestPermissions(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	const ssoSecret = "thirty-two bytes of secret, at least"
	w.Admin.MustDo(t, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { id } }`,
		in("siteID", w.Site.ID, "ssoSecret", ssoSecret), nil)
	authorComment := func() string { return w.Author.MustComment(t, w.StoryID, "", "target") }
	reacted := func() string {
		id := authorComment()
		for _, c := range []*client{w.Other, w.ModElsewhere, w.Moderator, w.Admin} {
			c.MustDo(t, addReaction, in("commentID", id, "kind", "funny"), nil)
		}
		return id
	}
	const (
		ok     = ""
		unauth = "UNAUTHENTICATED"
		forbid = "FORBIDDEN"
	)

	rows := []struct {
		mutation string
		query    string
		vars     func() map[string]any
		// want holds one code per actor, in the order of actors.
		want [6]string
	}{
		{"signUp", signUpMutation, func() map[string]any {
			name := unique("perm")
			return in("email", name+"@example.org", "username", name, "password", "correct horse battery")
		}, [6]string{ok, ok, ok, ok, ok, ok}},
		{"signIn", `mutation($in: SignInInput!) { signIn(input: $in) { token } }`, func() map[string]any {
			return in("login", w.Other.User.Username, "password", "correct horse battery")
		}, [6]string{ok, ok, ok, ok, ok, ok}},
		{"signInWithSSO", `mutation($in: SSOInput!) { signInWithSSO(input: $in) { token } }`, func() map[string]any {
			name := unique("ssoperm")
			return in("siteID", w.Site.ID, "token", ssoToken(t, ssoSecret, jwt.MapClaims{"sub": name, "email": name + "@host.example",
				"username": name, "jti": name, "iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix()}))
		}, [6]string{ok, ok, ok, ok, ok, ok}},
		{"signOut", `mutation { signOut }`, nil, [6]string{unauth, ok, ok, ok, ok, ok}},
		{"createAPIToken", `mutation($in: CreateAPITokenInput!) { createAPIToken(input: $in) { token } }`, func() map[string]any {
			return in("name", "perm")
		}, [6]string{unauth, ok, ok, ok, ok, ok}},
		{"createSite", `mutation($in: CreateSiteInput!) { createSite(input: $in) { id } }`, func() map[string]any {
			return in("name", "perm", "allowedOrigins", []string{"https://" + unique("perm") + ".example.org"})
		}, [6]string{unauth, forbid, forbid, forbid, forbid, ok}},
		{"updateSiteSettings", `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { id } }`, func() map[string]any {
			return in("siteID", w.Site.ID, "maxCommentLength", 4000)
		}, [6]string{unauth, forbid, forbid, forbid, ok, ok}},
		{"updateStory", `mutation($in: UpdateStoryInput!) { updateStory(input: $in) { id } }`, func() map[string]any {
			return in("storyID", w.StoryID, "title", "Perm")
		}, [6]string{unauth, forbid, forbid, forbid, ok, ok}},
		{"setSiteRole", `mutation($in: SetSiteRoleInput!) { setSiteRole(input: $in) { id role(siteID: "` + w.Site.ID + `") } }`, func() map[string]any {
			return in("siteID", w.Site.ID, "userID", s.MustSignUp(t).User.ID, "role", "MEMBER")
		}, [6]string{unauth, forbid, forbid, forbid, forbid, ok}},
		{"approveComment", `mutation($in: ModerateInput!) { approveComment(input: $in) { comment { status } } }`, func() map[string]any {
			return in("commentID", authorComment())
		}, [6]string{unauth, forbid, forbid, forbid, ok, ok}},
		{"rejectComment", `mutation($in: ModerateInput!) { rejectComment(input: $in) { comment { status } } }`, func() map[string]any {
			return in("commentID", authorComment(), "reason", "OFF_TOPIC")
		}, [6]string{unauth, forbid, forbid, forbid, ok, ok}},
		{"featureComment", `mutation($in: ModerateInput!) { featureComment(input: $in) { comment { featured } } }`, func() map[string]any {
			return in("commentID", authorComment())
		}, [6]string{unauth, forbid, forbid, forbid, ok, ok}},
		{"unfeatureComment", `mutation($in: ModerateInput!) { unfeatureComment(input: $in) { comment { featured } } }`, func() map[string]any {
			return in("commentID", authorComment())
		}, [6]string{unauth, forbid, forbid, forbid, ok, ok}},
		{"banUser", `mutation($in: BanInput!) { banUser(input: $in) { id } }`, func() map[string]any {
			return in("userID", s.MustSignUp(t).User.ID, "siteID", w.Site.ID, "rejectExistingComments", true)
		}, [6]string{unauth, forbid, forbid, forbid, ok, ok}},
		{"suspendUser", `mutation($in: SuspendInput!) { suspendUser(input: $in) { id } }`, func() map[string]any {
			return in("userID", s.MustSignUp(t).User.ID, "siteID", w.Site.ID, "durationSeconds", 3600)
		}, [6]string{unauth, forbid, forbid, forbid, ok, ok}},
		{"warnUser", `mutation($in: UserSanctionInput!) { warnUser(input: $in) { id } }`, func() map[string]any {
			return in("userID", s.MustSignUp(t).User.ID, "siteID", w.Site.ID, "message", "Mind the tone.")
		}, [6]string{unauth, forbid, forbid, forbid, ok, ok}},
		{"premodUser", `mutation($in: UserSanctionInput!) { premodUser(input: $in) { id } }`, func() map[string]any {
			return in("userID", s.MustSignUp(t).User.ID, "siteID", w.Site.ID)
		}, [6]string{unauth, forbid, forbid, forbid, ok, ok}},
		{"messageUser", `mutation($in: UserSanctionInput!) { messageUser(input: $in) { id } }`, func() map[string]any {
			return in("userID", s.MustSignUp(t).User.ID, "siteID", w.Site.ID, "message", "Thanks for the sources.")
		}, [6]string{unauth, forbid, forbid, forbid, ok, ok}},
		{"banUser everywhere", `mutation($in: BanInput!) { banUser(input: $in) { id } }`, func() map[string]any {
			return in("userID", s.MustSignUp(t).User.ID)
		}, [6]string{unauth, forbid, forbid, forbid, forbid, ok}},
		{"revokeSanction", `mutation($in: SanctionIDInput!) { revokeSanction(input: $in) { revokedAt } }`, func() map[string]any {
			target := s.MustSignUp(t)
			var out struct {
				BanUser struct{ Sanctions []struct{ ID string } }
			}
			w.Admin.MustDo(t, `mutation($in: BanInput!, $site: ID!) { banUser(input: $in) { sanctions(siteID: $site) { id } } }`,
				map[string]any{"in": map[string]any{"userID": target.User.ID, "siteID": w.Site.ID}, "site": w.Site.ID}, &out)
			return in("sanctionID", out.BanUser.Sanctions[0].ID)
		}, [6]string{unauth, forbid, forbid, forbid, ok, ok}},
		{"addUserNote", `mutation($in: UserNoteInput!) { addUserNote(input: $in) { id } }`, func() map[string]any {
			return in("userID", w.Other.User.ID, "siteID", w.Site.ID, "body", "Helpful in threads about transit.")
		}, [6]string{unauth, forbid, forbid, forbid, ok, ok}},
		{"bulkApproveComments", `mutation($in: BulkModerateInput!) { bulkApproveComments(input: $in) { comments { id } } }`, func() map[string]any {
			return in("commentIDs", []string{authorComment(), authorComment()})
		}, [6]string{unauth, forbid, forbid, forbid, ok, ok}},
		{"bulkRejectComments", `mutation($in: BulkModerateInput!) { bulkRejectComments(input: $in) { comments { id } } }`, func() map[string]any {
			return in("commentIDs", []string{authorComment()}, "reason", "SPAM")
		}, [6]string{unauth, forbid, forbid, forbid, ok, ok}},
		{"undoModeration", `mutation($in: ModerateInput!) { undoModeration(input: $in) { comment { status } } }`, func() map[string]any {
			id := authorComment()
			w.Admin.MustDo(t, `mutation($in: ModerateInput!) { rejectComment(input: $in) { comment { id } } }`, in("commentID", id, "reason", "SPAM"), nil)
			return in("commentID", id)
			// A rejected comment is invisible to all but its author and the site's moderators.
		}, [6]string{unauth, forbid, "NOT_FOUND", "NOT_FOUND", ok, ok}},
		{"muteUser", muteUser, func() map[string]any {
			return in("userID", s.MustSignUp(t).User.ID)
		}, [6]string{unauth, ok, ok, ok, ok, ok}},
		{"unmuteUser", unmuteUser, func() map[string]any {
			return in("userID", s.MustSignUp(t).User.ID)
		}, [6]string{unauth, ok, ok, ok, ok, ok}},
		{"createComment", createComment, func() map[string]any {
			return in("storyID", w.StoryID, "body", "hello")
		}, [6]string{unauth, ok, ok, ok, ok, ok}},
		{"editComment", editComment, func() map[string]any {
			return in("commentID", authorComment(), "body", "changed")
		}, [6]string{unauth, ok, forbid, forbid, forbid, forbid}},
		{"deleteComment", deleteComment, func() map[string]any {
			return in("commentID", authorComment())
		}, [6]string{unauth, ok, forbid, forbid, forbid, forbid}},
		{"addReaction", addReaction, func() map[string]any {
			return in("commentID", authorComment(), "kind", "respect")
		}, [6]string{unauth, forbid, ok, ok, ok, ok}},
		{"removeReaction", removeReaction, func() map[string]any {
			return in("commentID", reacted(), "kind", "funny")
		}, [6]string{unauth, forbid, ok, ok, ok, ok}},
		{"reportComment", reportComment, func() map[string]any {
			return in("commentID", authorComment(), "reason", "SPAM")
		}, [6]string{unauth, "INVALID", ok, ok, ok, ok}},
	}
	for _, row := range rows {
		for i, actor := range actors {
			want := row.want[i]
			outcome := "succeeds"
			if want != ok {
				outcome = "is " + want
			}
			t.Run(row.mutation+"/"+actor+" "+outcome, func(t *testing.T) {
				var vars map[string]any
				if row.vars != nil {
					vars = row.vars()
				}
				c := w.actor(s, actor)
				if row.mutation == "signOut" {
					c = c.fresh(t)
				}
				r := c.Do(t, row.query, vars)
				if got := r.Code(); got != want {
					t.Errorf("code = %q, want %q: %s", got, want, r.Raw)
				}
			})
		}
	}
}

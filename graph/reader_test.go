package graph_test

import (
	"testing"
)

const (
	mySessions    = `{ viewer { sessions { id current createdAt lastUsedAt expiresAt } apiTokens { id name createdAt lastUsedAt } } }`
	revokeSession = `mutation($in: RevokeSessionInput!) { revokeSession(input: $in) }`
	revokeToken   = `mutation($in: RevokeAPITokenInput!) { revokeAPIToken(input: $in) }`
	signOutAll    = `mutation { signOutEverywhere }`
	signInQuery   = `mutation($in: SignInInput!) { signIn(input: $in) { token } }`
	createToken   = `mutation($in: CreateAPITokenInput!) { createAPIToken(input: $in) { token apiToken { id } } }`
)

type credentialsJSON struct {
	Viewer *struct {
		Sessions []struct {
			ID      string
			Current bool
		}
		APITokens []struct{ ID, Name string }
	}
}

// mustSignInAgain opens a second session for c's user, as a second device would.
func (c *client) mustSignInAgain(tb testing.TB) *client {
	tb.Helper()
	var out struct{ SignIn struct{ Token string } }
	c.s.anonymous().MustDo(tb, signInQuery, in("login", c.User.Username, "password", password), &out)
	return &client{s: c.s, token: out.SignIn.Token, User: c.User}
}

func TestReaderCredentials(t *testing.T) {
	t.Parallel()
	laptop := shared.MustSignUp(t)
	phone := laptop.mustSignInAgain(t)
	var tok struct {
		CreateAPIToken struct {
			Token    string
			APIToken struct{ ID string }
		}
	}
	laptop.MustDo(t, createToken, in("name", "feed reader"), &tok)
	stranger := shared.MustSignUp(t)

	t.Run("lists the viewer's sessions with the current one marked, and tokens without secrets", func(t *testing.T) {
		var out credentialsJSON
		laptop.MustDo(t, mySessions, nil, &out)
		if n := len(out.Viewer.Sessions); n != 2 {
			t.Fatalf("sessions = %+v, want 2", out.Viewer.Sessions)
		}
		current := 0
		for _, s := range out.Viewer.Sessions {
			if s.Current {
				current++
			}
		}
		if current != 1 {
			t.Errorf("%d sessions are current, want 1", current)
		}
		if len(out.Viewer.APITokens) != 1 || out.Viewer.APITokens[0].Name != "feed reader" {
			t.Errorf("apiTokens = %+v", out.Viewer.APITokens)
		}
	})

	t.Run("hides another user's sessions", func(t *testing.T) {
		var out struct {
			User struct {
				Sessions  []any
				APITokens []any
			}
		}
		stranger.MustDo(t, `query($id: ID!) { user(id: $id) { sessions { id } apiTokens { id } } }`, map[string]any{"id": laptop.User.ID}, &out)
		if out.User.Sessions != nil || out.User.APITokens != nil {
			t.Errorf("a stranger sees %+v", out.User)
		}
	})

	t.Run("refuses to revoke another user's session as not found", func(t *testing.T) {
		var out credentialsJSON
		laptop.MustDo(t, mySessions, nil, &out)
		r := stranger.MustFail(t, "NOT_FOUND", revokeSession, in("sessionID", out.Viewer.Sessions[0].ID))
		if f := r.Errors[0].Extensions["field"]; f != "sessionID" {
			t.Errorf("field = %v, want sessionID", f)
		}
		stranger.MustFail(t, "NOT_FOUND", revokeToken, in("tokenID", tok.CreateAPIToken.APIToken.ID))
		stranger.MustFail(t, "NOT_FOUND", revokeSession, in("sessionID", "not-an-id"))
		shared.anonymous().MustFail(t, "UNAUTHENTICATED", revokeSession, in("sessionID", out.Viewer.Sessions[0].ID))
		shared.anonymous().MustFail(t, "UNAUTHENTICATED", signOutAll, nil)
	})

	t.Run("revokes one session, which then no longer signs in", func(t *testing.T) {
		var out credentialsJSON
		phone.MustDo(t, mySessions, nil, &out)
		var other string
		for _, s := range out.Viewer.Sessions {
			if !s.Current {
				other = s.ID
			}
		}
		phone.MustDo(t, revokeSession, in("sessionID", other), nil)
		laptop.MustFail(t, "UNAUTHENTICATED", mySessions, nil)
		phone.MustFail(t, "NOT_FOUND", revokeSession, in("sessionID", other))
	})

	t.Run("revokes an API token", func(t *testing.T) {
		api := &client{s: shared, token: tok.CreateAPIToken.Token, User: laptop.User}
		api.MustDo(t, `{ viewer { id } }`, nil, nil)
		phone.MustDo(t, revokeToken, in("tokenID", tok.CreateAPIToken.APIToken.ID), nil)
		api.MustFail(t, "UNAUTHENTICATED", `{ viewer { id } }`, nil)
	})

	t.Run("signs out everywhere, the current session included", func(t *testing.T) {
		tablet := phone.mustSignInAgain(t)
		var out struct{ SignOutEverywhere int }
		phone.MustDo(t, signOutAll, nil, &out)
		if out.SignOutEverywhere != 2 {
			t.Errorf("signOutEverywhere = %d, want 2", out.SignOutEverywhere)
		}
		phone.MustFail(t, "UNAUTHENTICATED", mySessions, nil)
		tablet.MustFail(t, "UNAUTHENTICATED", mySessions, nil)
	})
}

func TestRevisionsShownBySite(t *testing.T) {
	t.Parallel()
	w := shared.MustWorld(t)
	w.Author.MustDo(t, editComment, in("commentID", w.CommentID, "body", "First, edited."), nil)
	const q = `query($id: ID!) { comment(id: $id) { revisions { bodySource } } }`
	type answer struct {
		Comment struct{ Revisions []struct{ BodySource string } }
	}
	count := func(t *testing.T, c *client) int {
		t.Helper()
		var out answer
		c.MustDo(t, q, map[string]any{"id": w.CommentID}, &out)
		return len(out.Comment.Revisions)
	}
	for _, tc := range []struct {
		name  string
		show  bool
		who   *client
		wants int
	}{
		{"hides the history from readers by default", false, w.Other, 0},
		{"hides the history from anonymous readers by default", false, shared.anonymous(), 0},
		{"shows the history to its author", false, w.Author, 1},
		{"shows the history to the site's moderators", false, w.Moderator, 1},
		{"shows the history to everyone when the site shows it", true, shared.anonymous(), 1},
		{"shows the history to other readers when the site shows it", true, w.Other, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.Admin.MustDo(t, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { settings { showRevisions } } }`,
				in("siteID", w.Site.ID, "showRevisions", tc.show), nil)
			if got := count(t, tc.who); got != tc.wants {
				t.Errorf("revisions = %d, want %d", got, tc.wants)
			}
		})
	}
}

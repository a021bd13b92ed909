package graph_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/ratelimit"
)

const (
	deleteAccount = `mutation($in: DeleteAccountInput!) { deleteAccount(input: $in) }`
	viewerExport  = `{ viewerExport {
		generatedAt account { id username email createdAt }
		comments { id storyURL storyTitle siteName bodySource status createdAt editedAt revisions }
		reactions { commentID kind createdAt } reports { commentID reason details createdAt }
		mutes { userID username createdAt } sanctions { kind message siteName createdAt expiresAt revokedAt }
		moderatorNotes { siteName body createdAt }
		sessions { id name createdAt expiresAt revokedAt lastUsedAt } apiTokens { id name createdAt revokedAt }
	} }`
	password = "correct horse battery"
)

type exported struct {
	ViewerExport *struct {
		Account  struct{ ID, Username, Email string }
		Comments []struct {
			ID, StoryURL, BodySource, Status string
			Revisions                        []string
		}
		Reactions []struct{ CommentID, Kind string }
		Reports   []struct{ CommentID, Reason string }
		Mutes     []struct{ UserID string }
		Sessions  []struct{ ID string }
		APITokens []struct{ ID string }
	}
}

func TestViewerExport(t *testing.T) {
	t.Parallel()
	w := shared.MustWorld(t)
	theirs := w.Other.MustComment(t, w.StoryID, "", "someone else's words")
	w.Author.MustDo(t, `mutation($in: ReactionInput!) { addReaction(input: $in) { comment { id } } }`, in("commentID", theirs, "kind", "respect"), nil)
	w.Author.MustDo(t, `mutation($in: ReportInput!) { reportComment(input: $in) { comment { id } } }`, in("commentID", theirs, "reason", "SPAM"), nil)
	w.Author.MustDo(t, muteUser, in("userID", w.Other.User.ID), nil)

	t.Run("holds the viewer's data and nothing of others", func(t *testing.T) {
		var out exported
		w.Author.MustDo(t, viewerExport, nil, &out)
		x := out.ViewerExport
		if x.Account.ID != w.Author.User.ID || x.Account.Email != w.Author.User.Email {
			t.Errorf("account = %+v", x.Account)
		}
		if len(x.Comments) != 1 || x.Comments[0].ID != w.CommentID || x.Comments[0].BodySource != "First!" || x.Comments[0].StoryURL == "" {
			t.Errorf("comments = %+v, want only %s", x.Comments, w.CommentID)
		}
		if len(x.Reactions) != 1 || x.Reactions[0].CommentID != theirs || len(x.Reports) != 1 || x.Reports[0].Reason != "SPAM" {
			t.Errorf("reactions = %+v, reports = %+v", x.Reactions, x.Reports)
		}
		if len(x.Mutes) != 1 || x.Mutes[0].UserID != w.Other.User.ID {
			t.Errorf("mutes = %+v", x.Mutes)
		}
		if len(x.Sessions)+len(x.APITokens) == 0 {
			t.Errorf("sessions = %+v, api tokens = %+v: the viewer signed in with one", x.Sessions, x.APITokens)
		}
	})
	t.Run("anonymous gets null", func(t *testing.T) {
		var out exported
		shared.anonymous().MustDo(t, viewerExport, nil, &out)
		if out.ViewerExport != nil {
			t.Errorf("viewerExport = %+v, want null", out.ViewerExport)
		}
	})
	t.Run("hasPassword shows to the viewer alone", func(t *testing.T) {
		var mine struct{ Viewer struct{ HasPassword *bool } }
		w.Author.MustDo(t, `{ viewer { hasPassword } }`, nil, &mine)
		if mine.Viewer.HasPassword == nil || !*mine.Viewer.HasPassword {
			t.Errorf("own hasPassword = %v, want true", mine.Viewer.HasPassword)
		}
		var theirs struct {
			Comment struct{ Author struct{ HasPassword *bool } }
		}
		w.Admin.MustDo(t, `query($id: ID!) { comment(id: $id) { author { hasPassword } } }`, map[string]any{"id": w.CommentID}, &theirs)
		if theirs.Comment.Author.HasPassword != nil {
			t.Errorf("another's hasPassword = %v, want null", *theirs.Comment.Author.HasPassword)
		}
	})
}

func TestViewerExportIsRateLimited(t *testing.T) {
	t.Parallel()
	s := newServices(shared.DB)
	s.serve(graph.Options{Limits: graph.MutationLimits{PerAccount: ratelimit.NewMemory(time.Hour, 2)}})
	defer s.Close()
	reader := s.MustSignUp(t)
	reader.MustDo(t, viewerExport, nil, nil)
	reader.MustDo(t, viewerExport, nil, nil)
	reader.MustFail(t, "RATE_LIMITED", viewerExport, nil)
	reader.MustDo(t, `{ viewer { id } }`, nil, nil)
}

func TestDeleteAccount(t *testing.T) {
	t.Parallel()
	w := shared.MustWorld(t)
	reply := w.Other.MustComment(t, w.StoryID, w.CommentID, "a reply that stays")

	t.Run("anonymous is unauthenticated", func(t *testing.T) {
		shared.anonymous().MustFail(t, "UNAUTHENTICATED", deleteAccount, in("password", password))
	})
	t.Run("a wrong or missing password is invalid and changes nothing", func(t *testing.T) {
		for _, vars := range []map[string]any{in("password", "not my password"), in("confirm", "DELETE")} {
			r := w.Author.MustFail(t, "INVALID", deleteAccount, vars)
			if f := r.Errors[0].Extensions["field"]; f != "password" {
				t.Errorf("field = %v, want password", f)
			}
		}
		w.Author.MustDo(t, `{ viewer { id } }`, nil, nil)
	})
	signIn := `mutation($in: SignInInput!) { signIn(input: $in) { token deletionCancelled restoredAPITokens } }`
	type signedIn struct {
		SignIn struct {
			DeletionCancelled bool
			RestoredAPITokens int
		}
	}
	t.Run("the right password schedules the deletion and signs out everywhere", func(t *testing.T) {
		var out struct{ DeleteAccount bool }
		w.Author.MustDo(t, deleteAccount, in("password", password), &out)
		if !out.DeleteAccount {
			t.Fatal("deleteAccount = false")
		}
		if r := w.Author.Do(t, `{ viewer { id } }`, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("old session: status %d, %s", r.Status, r.Raw)
		}
		var c struct{ Comment struct{ Status string } }
		w.Other.MustDo(t, `query($id: ID!) { comment(id: $id) { status } }`, map[string]any{"id": w.CommentID}, &c)
		if c.Comment.Status != "PUBLISHED" {
			t.Errorf("status within the grace = %s, want PUBLISHED", c.Comment.Status)
		}
	})
	t.Run("signing in within the grace cancels the deletion and says so, once", func(t *testing.T) {
		for _, want := range []bool{true, false} {
			var out signedIn
			shared.anonymous().MustDo(t, signIn, in("login", w.Author.User.Username, "password", password), &out)
			if out.SignIn.DeletionCancelled != want || out.SignIn.RestoredAPITokens != 0 {
				t.Errorf("deletionCancelled = %v, restoredAPITokens = %d; want %v, 0 (the author had no API token)",
					out.SignIn.DeletionCancelled, out.SignIn.RestoredAPITokens, want)
			}
		}
	})
	t.Run("after the grace the comments show as deleted, without author, and replies stay", func(t *testing.T) {
		var out struct{ SignIn struct{ Token string } }
		shared.anonymous().MustDo(t, signIn, in("login", w.Author.User.Username, "password", password), &out)
		(&client{s: shared, token: out.SignIn.Token}).MustDo(t, deleteAccount, in("password", password, "removeComments", false), nil)
		if _, err := postgres.NewAccountStore(shared.DB).EraseDueAccounts(context.Background(), time.Now().Add(parley.DefaultDeletionGrace+time.Hour)); err != nil {
			t.Fatal(err)
		}
		var c struct {
			Comment struct {
				Status, BodySource string
				Author             *struct{ ID string }
				Replies            struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
		w.Other.MustDo(t, `query($id: ID!) { comment(id: $id) { status bodySource author { id } replies(first: 5) { edges { node { id } } } } }`,
			map[string]any{"id": w.CommentID}, &c)
		got := c.Comment
		if got.Status != "DELETED" || got.BodySource != "" || got.Author != nil {
			t.Errorf("comment = %+v, want an authorless tombstone", got)
		}
		if len(got.Replies.Edges) != 1 || got.Replies.Edges[0].Node.ID != reply {
			t.Errorf("replies = %+v, want %s", got.Replies.Edges, reply)
		}
		shared.anonymous().MustFail(t, "UNAUTHENTICATED", signIn, in("login", w.Author.User.Username, "password", password))
	})
}

func TestDeleteSSOAccount(t *testing.T) {
	t.Parallel()
	s := shared
	admin := s.MustAdmin(t)
	st := s.MustSSOSite(t, admin)
	const secret = testSSOSecret
	name := unique("sso")
	now := time.Now()
	token := ssoToken(t, secret, jwt.MapClaims{"sub": name, "username": name, "email": name + "@host.example", "jti": unique("jti"), "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()})
	var out struct{ SignInWithSSO authPayload }
	s.anonymous().MustDo(t, `mutation($in: SSOInput!) { signInWithSSO(input: $in) { `+authFields+` } }`,
		map[string]any{"in": map[string]any{"siteID": st.ID, "token": token}}, &out)
	reader := &client{s: s, token: out.SignInWithSSO.Token}

	t.Run("without the confirmation is invalid", func(t *testing.T) {
		r := reader.MustFail(t, "INVALID", deleteAccount, in("password", "anything", "confirm", "delete"))
		if f := r.Errors[0].Extensions["field"]; f != "confirm" {
			t.Errorf("field = %v, want confirm", f)
		}
	})
	t.Run("the confirmation deletes the account", func(t *testing.T) {
		reader.MustDo(t, deleteAccount, in("confirm", "DELETE"), nil)
		if r := reader.Do(t, `{ viewer { id } }`, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("old session: status %d, %s", r.Status, r.Raw)
		}
	})
}

func TestDeleteLastAdmin(t *testing.T) {
	t.Parallel()
	s := newStack(postgrestest.MustOpenDB(t), graph.Options{})
	defer s.Close()
	first := s.MustAdmin(t)
	first.MustFail(t, "CONFLICT", deleteAccount, in("password", password))
	second := s.MustAdmin(t)
	first.MustDo(t, deleteAccount, in("password", password), nil)
	second.MustFail(t, "CONFLICT", deleteAccount, in("password", password))
}

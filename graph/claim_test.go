package graph_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/importer"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

const (
	claimable = `{ viewer { claimableComments { total imported guest } } }`
	claim     = `mutation { claimComments { claimed { total imported guest } viewer { id } } }`
)

type claimCounts struct{ Total, Imported, Guest int }

// claimStack is the guest stack with claims, as production wires them.
func claimStack(t *testing.T) *stack {
	s := newServices(shared.DB)
	pipeline := moderation.Default()
	s.Services.Comments = moderation.NewCommentService(postgres.NewCommentService(s.DB, markup.NewRenderer()), pipeline)
	s.Services.Moderator = pipeline
	s.Services.Guests = moderation.NewGuests(s.Services.Stories, s.Services.Sites, postgres.NewGuestStore(s.DB), s.Services.Comments, nil)
	s.Services.Claims = auth.NewClaims(postgres.NewClaimStore(s.DB), postgres.NewRecoveryStore(s.DB).EmailVerified)
	s.serve(graph.Options{})
	t.Cleanup(s.Close)
	return s
}

// MustSignUpAs signs up with a given address.
func (s *stack) MustSignUpAs(tb testing.TB, email string) *client {
	tb.Helper()
	name := unique("reader")
	var out struct{ SignUp authPayload }
	s.anonymous().MustDo(tb, `mutation($in: SignUpInput!) { signUp(input: $in) { `+authFields+` } }`,
		map[string]any{"in": map[string]any{"email": email, "username": name, "password": "correct horse battery"}}, &out)
	return &client{s: s, token: out.SignUp.Token, User: &parley.User{ID: out.SignUp.User.ID, Username: name, Email: email}}
}

// MustVerify marks the client's address verified, as following the mailed link does.
func (c *client) MustVerify(tb testing.TB) {
	tb.Helper()
	if _, err := postgrestest.Pool(tb, c.s.DB).Exec(context.Background(), `UPDATE users SET email_verified_at = now() WHERE id = $1`, c.User.ID); err != nil {
		tb.Fatal(err)
	}
}

func (c *client) claimable(tb testing.TB) *claimCounts {
	tb.Helper()
	var out struct {
		Viewer struct{ ClaimableComments *claimCounts }
	}
	c.MustDo(tb, claimable, nil, &out)
	return out.Viewer.ClaimableComments
}

func (c *client) claim(tb testing.TB) claimCounts {
	tb.Helper()
	var out struct{ ClaimComments struct{ Claimed claimCounts } }
	c.MustDo(tb, claim, nil, &out)
	return out.ClaimComments.Claimed
}

// authorsOf returns the author of each comment by ID.
func authorsOf(tb testing.TB, s *stack, ids []string) map[string]string {
	tb.Helper()
	rows, err := postgrestest.Pool(tb, s.DB).Query(context.Background(), `SELECT id::text, coalesce(author_id::text, '') FROM comments WHERE id = ANY($1)`, ids)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, a string
		if err := rows.Scan(&id, &a); err != nil {
			tb.Fatal(err)
		}
		out[id] = a
	}
	return out
}

func TestClaimComments(t *testing.T) {
	t.Parallel()
	s := claimStack(t)
	w := s.MustWorld(t)
	w.Admin.MustDo(t, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { id } }`, in("siteID", w.Site.ID, "guestComments", true), nil)
	email := unique("ada") + "@example.org"

	// Before Ada has an account: one guest comment under her address, and a history
	// imported from Coral with two comments by her (her address in another case).
	var guest guestAnswer
	s.anonymous().MustDo(t, guestComment, in("storyID", w.StoryID, "body", "A guest's thought.", "name", "Ada", "email", strings.ToUpper(email)), &guest)
	file := fmt.Sprintf(`{"users":[{"id":"u1","username":"ada_old","email":%q},{"id":"u2","username":"someone","email":"someone@example.org"}],
		"stories":[{"id":"s1","url":%q}],
		"comments":[{"id":"c1","storyID":"s1","authorID":"u1","status":"APPROVED","createdAt":"2021-01-01T00:00:00Z","revisions":[{"body":"Old one."}]},
		{"id":"c2","storyID":"s1","authorID":"u1","status":"REJECTED","createdAt":"2021-01-02T00:00:00Z","revisions":[{"body":"Old two."}]},
		{"id":"c3","storyID":"s1","authorID":"u2","status":"APPROVED","createdAt":"2021-01-03T00:00:00Z","revisions":[{"body":"Not Ada's."}]}]}`,
		strings.ToUpper(email[:1])+email[1:], w.Site.Origin+"/imported")
	im := importer.New(postgres.NewImportStore(s.DB), markup.NewRenderer(), importer.Options{})
	if _, err := im.Import(context.Background(), w.Site.ID, "coral", func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(file)), nil }); err != nil {
		t.Fatal(err)
	}
	var imported []string
	if err := postgrestest.Pool(t, s.DB).QueryRow(context.Background(), `SELECT array_agg(local_id::text ORDER BY external_id) FROM import_keys
		WHERE site_id = $1 AND kind = 'comment'`, w.Site.ID).Scan(&imported); err != nil {
		t.Fatal(err)
	}
	ids := append([]string{guest.CreateGuestComment.Comment.ID}, imported...)
	before := authorsOf(t, s, ids)

	t.Run("signed out is unauthenticated", func(t *testing.T) {
		s.anonymous().MustFail(t, "UNAUTHENTICATED", claim, nil)
	})

	// Ada signs up with that address; until she follows the mailed link it is unverified, and
	// for all the server knows, anyone could have typed it.
	ada := s.MustSignUpAs(t, email)
	t.Run("an unverified address is told nothing and claims nothing", func(t *testing.T) {
		if got := ada.claimable(t); got != nil {
			t.Errorf("claimableComments = %+v to an unverified address, want null", got)
		}
		ada.MustFail(t, "FORBIDDEN", claim, nil)
		if after := authorsOf(t, s, ids); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("authors changed by a refused claim: %v, were %v", after, before)
		}
	})

	t.Run("another reader's verified address claims nothing of hers", func(t *testing.T) {
		w.Other.MustVerify(t)
		if got := w.Other.claimable(t); got == nil || *got != (claimCounts{}) {
			t.Errorf("claimable to another reader = %+v, want zero", got)
		}
		if got := w.Other.claim(t); got != (claimCounts{}) {
			t.Errorf("another reader claimed %+v", got)
		}
		var out struct {
			User struct{ ClaimableComments *claimCounts }
		}
		w.Admin.MustDo(t, `query($id: ID!) { user(id: $id) { claimableComments { total } } }`, map[string]any{"id": ada.User.ID}, &out)
		if out.User.ClaimableComments != nil {
			t.Errorf("another user's claimable comments are shown to an admin: %+v", out.User.ClaimableComments)
		}
	})

	t.Run("a verified address claims the guest and imported comments", func(t *testing.T) {
		ada.MustVerify(t)
		if got := ada.claimable(t); got == nil || *got != (claimCounts{Total: 3, Imported: 2, Guest: 1}) {
			t.Fatalf("claimable = %+v, want 2 imported and 1 guest", got)
		}
		if got := ada.claim(t); got != (claimCounts{Total: 3, Imported: 2, Guest: 1}) {
			t.Fatalf("claimed %+v, want 2 imported and 1 guest", got)
		}
		after := authorsOf(t, s, ids)
		mine := 0
		for _, id := range ids {
			if after[id] == ada.User.ID {
				mine++
			}
		}
		if mine != 3 || after[imported[2]] != before[imported[2]] {
			t.Errorf("authors after the claim %v, want Ada's three moved and the other author's kept", after)
		}
		var kinds, published, rejected int
		if err := postgrestest.Pool(t, s.DB).QueryRow(context.Background(), `SELECT count(*), sum((payload->>'published')::int), sum((payload->>'rejected')::int)
			FROM outbox WHERE kind = 'user.comments_claimed' AND site_id = $1 AND payload->>'userID' = $2`, w.Site.ID, ada.User.ID).Scan(&kinds, &published, &rejected); err != nil {
			t.Fatal(err)
		}
		if kinds != 1 || published != 1 || rejected != 1 {
			t.Errorf("%d user.comments_claimed events (%d published, %d rejected), want one with 1 and 1", kinds, published, rejected)
		}
	})

	t.Run("claiming again claims nothing and is no error", func(t *testing.T) {
		if got := ada.claim(t); got != (claimCounts{}) {
			t.Errorf("second claim %+v, want nothing", got)
		}
		if got := ada.claimable(t); got == nil || got.Total != 0 {
			t.Errorf("claimable after the claim %+v, want 0", got)
		}
	})

	t.Run("a later import of the same author goes to her account", func(t *testing.T) {
		more := strings.Replace(file, `"id":"c3"`, `"id":"c4"`, 1)
		more = strings.Replace(more, `"authorID":"u2","status":"APPROVED","createdAt":"2021-01-03`, `"authorID":"u1","status":"APPROVED","createdAt":"2021-01-04`, 1)
		if _, err := im.Import(context.Background(), w.Site.ID, "coral", func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(more)), nil }); err != nil {
			t.Fatal(err)
		}
		var author string
		if err := postgrestest.Pool(t, s.DB).QueryRow(context.Background(), `SELECT c.author_id::text FROM import_keys k JOIN comments c ON c.id = k.local_id
			WHERE k.site_id = $1 AND k.kind = 'comment' AND k.external_id = 'c4'`, w.Site.ID).Scan(&author); err != nil {
			t.Fatal(err)
		}
		if author != ada.User.ID {
			t.Errorf("the new imported comment's author %s, want the claimant %s", author, ada.User.ID)
		}
	})
}

package postgres_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// TestDraftSiteFacts checks that the site facts a draft carries (which let the label and spam
// stages skip their queries) are what those stages would read themselves, as subscriptions
// and training change them.
func TestDraftSiteFacts(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	ctx := context.Background()
	site, story := e.MustStory(t)
	author, _ := e.MustUser(t)
	labels, spam := postgres.NewLabelStore(e.db), postgres.NewSpamStore(e.db)
	facts := func(t *testing.T) parley.SiteFacts {
		t.Helper()
		d, err := e.comments.PrepareComment(author, parley.CreateCommentInput{StoryID: story.ID, Body: "What a story."})
		if err != nil {
			t.Fatal(err)
		}
		c := e.MustComment(t, author, story.ID, "", "An earlier comment.")
		edit, err := e.comments.PrepareEdit(author, parley.EditCommentInput{CommentID: c.ID, Body: "An earlier comment, edited."})
		if err != nil {
			t.Fatal(err)
		}
		if d.Site == nil || edit.Site == nil || *d.Site != *edit.Site {
			t.Fatalf("facts of a new comment %+v, of an edit %+v", d.Site, edit.Site)
		}
		return *d.Site
	}
	stored := func(t *testing.T) parley.SiteFacts {
		t.Helper()
		subs, err := labels.LabelSubscriptions(ctx, site.ID)
		if err != nil {
			t.Fatal(err)
		}
		docs, _, err := spam.Model(ctx, site.ID, []string{"story"})
		if err != nil {
			t.Fatal(err)
		}
		return parley.SiteFacts{LabelSubscriptions: len(subs), SpamDocs: docs}
	}
	agree := func(t *testing.T, want parley.SiteFacts) {
		t.Helper()
		got := facts(t)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("draft's site facts (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(stored(t), got); diff != "" {
			t.Errorf("draft's site facts against the stores' (-stores +draft):\n%s", diff)
		}
	}
	t.Run("a new site has none", func(t *testing.T) { agree(t, parley.SiteFacts{}) })
	t.Run("training shows in the spam documents", func(t *testing.T) {
		for _, isSpam := range []bool{true, false, false} {
			if err := spam.Train(ctx, site.ID, []string{"story"}, isSpam); err != nil {
				t.Fatal(err)
			}
		}
		agree(t, parley.SiteFacts{SpamDocs: parley.SpamCounts{Spam: 1, Ham: 2}})
	})
	peer := &parley.Peer{Name: "facts-" + site.ID[:8], URL: "https://facts.example.org", State: parley.PeerActive, Exchange: []string{"labels"}, TrustWeight: 1}
	t.Run("a subscription to a peer's labels counts", func(t *testing.T) {
		if err := postgres.NewFederationStore(e.db).CreatePeer(ctx, peer); err != nil {
			t.Fatal(err)
		}
		if err := labels.SubscribeLabels(ctx, &parley.LabelSubscription{SiteID: site.ID, PeerID: peer.ID, Weight: 1, Action: parley.LabelHold, Quorum: 1}); err != nil {
			t.Fatal(err)
		}
		agree(t, parley.SiteFacts{LabelSubscriptions: 1, SpamDocs: parley.SpamCounts{Spam: 1, Ham: 2}})
	})
	t.Run("a defederated peer's subscription does not", func(t *testing.T) {
		postgrestest.Exec(t, e.db, `UPDATE federation_peers SET state = 'DEFEDERATED' WHERE id = $1`, peer.ID)
		agree(t, parley.SiteFacts{SpamDocs: parley.SpamCounts{Spam: 1, Ham: 2}})
	})
}

package trust_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
)

// TestImportCounts: the one import.completed event of an import counts each author's
// imported comments, once however often it is replayed.
func TestImportCounts(t *testing.T) {
	e := MustEnv(t)
	site, story := e.MustStory(t)
	_, alice := e.MustUser(t)
	done := parley.ImportDone{Imported: 5, Stories: map[string]int{story.ID: 5},
		Authors: map[string]parley.AuthorComments{alice.ID: {UserID: alice.ID, Published: 4, Rejected: 1}}}
	if err := postgres.NewImportStore(e.DB).FinishImport(context.Background(), site.ID, "coral", done); err != nil {
		t.Fatal(err)
	}
	events := e.MustSiteEvents(t, site.ID)
	c := e.consumer(time.Now)
	MustConsume(t, c, events)
	MustConsume(t, c, events)
	sig := e.MustSignals(t, site.ID, alice.ID, time.Now())
	if sig.CommentsPublished != 4 || sig.RejectedTotal() != 1 {
		t.Errorf("alice's signals %+v, want 4 published and 1 rejected from the import", sig)
	}
}

// TestClaimCounts: comments a reader claims count for them, once.
func TestClaimCounts(t *testing.T) {
	e := MustEnv(t)
	site, story := e.MustStory(t)
	_, ada := e.MustUser(t)
	payload, err := parley.EncodeEvent(parley.CommentsClaimed{UserID: ada.ID, Comments: 4, Published: 3, Rejected: 1,
		Stories: []parley.StoryComments{{StoryID: story.ID, Comments: 4}}})
	if err != nil {
		t.Fatal(err)
	}
	ev := parley.OutboxEvent{ID: "3b0c1f5e-2a8e-4d7c-9a51-6f0e2d4c8b11", Kind: parley.EventCommentsClaimed, SiteID: site.ID, Payload: payload, CreatedAt: time.Now()}
	c := e.consumer(time.Now)
	MustConsume(t, c, []parley.OutboxEvent{ev, ev})
	if sig := e.MustSignals(t, site.ID, ada.ID, time.Now()); sig.CommentsPublished != 3 || sig.RejectedTotal() != 1 {
		t.Errorf("ada's signals %+v, want the 3 published and 1 rejected she claimed", sig)
	}
}

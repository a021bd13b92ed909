package notify_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/notify"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// MustEvents reads the stored events of kind about a comment, oldest first, as the relay
// would deliver them.
func MustEvents(tb testing.TB, kind, commentID string) []parley.OutboxEvent {
	tb.Helper()
	rows, err := postgrestest.Pool(tb, db).Query(context.Background(), `
		SELECT id, kind, coalesce(site_id::text, ''), coalesce(story_id::text, ''), payload, created_at FROM outbox
		WHERE kind = $1 AND (payload->>'commentID' = $2 OR payload->>'id' = $2) ORDER BY created_at, id`, kind, commentID)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []parley.OutboxEvent
	for rows.Next() {
		var e parley.OutboxEvent
		if err := rows.Scan(&e.ID, &e.Kind, &e.SiteID, &e.StoryID, &e.Payload, &e.CreatedAt); err != nil {
			tb.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestApprovedReplyNotifies(t *testing.T) {
	ctx := context.Background()
	store := postgres.NewNotificationStore(db)
	c := notify.NewConsumer(store, notify.Options{})
	svc := notify.NewService(store, notify.NewUnsubscribe([]byte("a test secret of thirty-two bytes")), true)
	comments, queues := postgres.NewCommentService(db, markup.NewRenderer()), postgres.NewQueueService(db)

	admin := MustUser(t)
	postgrestest.Exec(t, db, `UPDATE users SET admin = true WHERE id = $1`, admin.ID)
	admin.Admin = true
	actx := parley.NewContextWithUser(ctx, admin)
	origin := "https://" + uuid.NewString()[:8] + ".example.org"
	if _, err := postgres.NewSiteService(db).CreateSite(actx, parley.CreateSiteInput{Name: "Approvals", AllowedOrigins: []string{origin}}); err != nil {
		t.Fatal(err)
	}
	story, err := postgres.NewStoryService(db).FindStoryByURL(ctx, origin+"/news/1")
	if err != nil {
		t.Fatal(err)
	}
	ann, bob, carol := MustUser(t), MustUser(t), MustUser(t)
	parent, err := comments.CreateComment(parley.NewContextWithUser(ctx, ann), parley.CreateCommentInput{StoryID: story.ID, Body: "The parent."})
	if err != nil {
		t.Fatal(err)
	}
	d, err := comments.PrepareComment(parley.NewContextWithUser(ctx, bob), parley.CreateCommentInput{StoryID: story.ID, ParentID: parent.ID,
		Body: "A held reply that names @" + carol.Username + "."})
	if err != nil {
		t.Fatal(err)
	}
	held, err := comments.InsertComment(ctx, d, &parley.Moderation{Decision: parley.DecisionHold, DecidedBy: "premod_all"})
	if err != nil {
		t.Fatal(err)
	}
	for _, oe := range MustEvents(t, parley.EventCommentCreated, held.ID) {
		MustHandle(t, c, oe)
	}
	if got := MustInbox(t, svc, ann); len(got) != 0 {
		t.Fatalf("the parent's author was told of a held reply: %+v", got)
	}

	t.Run("approving a held reply tells the parent's author and the reader it names", func(t *testing.T) {
		if _, err := queues.ApproveComment(actx, parley.ModerateInput{CommentID: held.ID}); err != nil {
			t.Fatal(err)
		}
		for _, oe := range MustEvents(t, parley.EventCommentModerated, held.ID) {
			MustHandle(t, c, oe)
		}
		if got := MustInbox(t, svc, ann); len(got) != 1 || got[0].Kind != parley.NotifyReply || got[0].CommentID != held.ID || got[0].ActorID != bob.ID {
			t.Errorf("ann got %+v, want one reply", got)
		}
		if got := MustInbox(t, svc, carol); len(got) != 1 || got[0].Kind != parley.NotifyMention {
			t.Errorf("carol got %+v, want one mention", got)
		}
	})

	t.Run("an approval undone and made again, or delivered twice, tells them once", func(t *testing.T) {
		if _, err := queues.UndoModeration(actx, held.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := queues.ApproveComment(actx, parley.ModerateInput{CommentID: held.ID}); err != nil {
			t.Fatal(err)
		}
		events := MustEvents(t, parley.EventCommentModerated, held.ID)
		if len(events) != 3 {
			t.Fatalf("%d comment.moderated events, want approve, undo, approve", len(events))
		}
		for _, oe := range append(events, events...) {
			MustHandle(t, c, oe)
		}
		if got := MustInbox(t, svc, ann); len(got) != 1 {
			t.Errorf("ann got %d notifications, want the one reply", len(got))
		}
		if got := MustInbox(t, svc, carol); len(got) != 1 {
			t.Errorf("carol got %d notifications, want the one mention", len(got))
		}
	})

	t.Run("an approval of a comment rejected since tells no one", func(t *testing.T) {
		d, err := comments.PrepareComment(parley.NewContextWithUser(ctx, bob), parley.CreateCommentInput{StoryID: story.ID, ParentID: parent.ID, Body: "Another held reply."})
		if err != nil {
			t.Fatal(err)
		}
		again, err := comments.InsertComment(ctx, d, &parley.Moderation{Decision: parley.DecisionHold, DecidedBy: "premod_all"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := queues.ApproveComment(actx, parley.ModerateInput{CommentID: again.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := queues.RejectComment(actx, parley.ModerateInput{CommentID: again.ID, Reason: parley.RejectSpam}); err != nil {
			t.Fatal(err)
		}
		for _, oe := range MustEvents(t, parley.EventCommentModerated, again.ID) {
			MustHandle(t, c, oe)
		}
		if got := MustInbox(t, svc, ann); len(got) != 1 {
			t.Errorf("ann got %d notifications, want only the earlier reply", len(got))
		}
	})
}

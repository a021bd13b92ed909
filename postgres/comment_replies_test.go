package postgres_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
)

// TestFindReplyPagesAgreesWithFindComments reads the first pages of replies under a story's
// comments in one statement and one by one, as every kind of reader, in every order and at
// several page sizes: the pages must be the same, placeholders and hidden comments included.
func TestFindReplyPagesAgreesWithFindComments(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	queues := postgres.NewQueueService(e.db)
	_, story := e.MustStory(t)
	a, _ := e.MustUser(t)
	b, _ := e.MustUser(t)
	var parents []string
	for i := range 4 {
		parents = append(parents, e.MustComment(t, a, story.ID, "", fmt.Sprintf("top %d", i)).ID)
	}
	// The first has four replies, one of them rejected (its author, b, still finds it); the
	// second's only reply is deleted above a published reply (a placeholder); the third has
	// one reply; the fourth none.
	for i := range 4 {
		who := a
		if i%2 == 1 {
			who = b
		}
		r := e.MustComment(t, who, story.ID, parents[0], fmt.Sprintf("reply %d", i))
		if i == 3 {
			if _, err := queues.RejectComment(e.admin, parley.ModerateInput{CommentID: r.ID, Reason: parley.RejectSpam}); err != nil {
				t.Fatal(err)
			}
		}
	}
	deleted := e.MustComment(t, b, story.ID, parents[1], "soon gone")
	e.MustComment(t, a, story.ID, deleted.ID, "below it")
	if _, err := e.comments.DeleteComment(b, deleted.ID); err != nil {
		t.Fatal(err)
	}
	e.MustComment(t, b, story.ID, parents[2], "the only one")

	asked := append([]string{parents[0]}, append(parents, "not-an-id", parents[0])...)
	for name, ctx := range map[string]context.Context{"anonymous": context.Background(), "author": a, "other": b, "admin": e.admin} {
		for _, order := range []parley.CommentOrder{parley.OrderNewest, parley.OrderOldest, parley.OrderMostReplies, parley.OrderMostReactions} {
			for _, first := range []int{1, 2, 10} {
				t.Run(fmt.Sprintf("%s, %s, first %d", name, order, first), func(t *testing.T) {
					got, err := e.comments.FindReplyPages(ctx, story.ID, asked, order, first)
					if err != nil {
						t.Fatal(err)
					}
					for _, id := range parents {
						want, err := e.comments.FindComments(ctx, parley.CommentFilter{StoryID: story.ID, ParentID: id, Order: order, First: first})
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(got[id], want) {
							t.Errorf("replies of %s: one statement %+v, one by one %+v", id, got[id], want)
						}
					}
					if p := got["not-an-id"]; p == nil || len(p.Comments) != 0 || p.HasNextPage {
						t.Errorf("a malformed ID's page = %+v", p)
					}
				})
			}
		}
	}
}

package live_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
)

// subscribe follows a story's new comments (created) or their changes as the viewer of ctx,
// until the test ends.
func subscribe(t *testing.T, e *env, ctx context.Context, storyID string, created bool) <-chan *parley.Comment {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	ch, err := e.live.CommentEvents(ctx, storyID, created)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func TestPendingCommentsReachOnlyTheirAuthorAndModerators(t *testing.T) {
	e := MustEnv(t)
	site, story := e.MustStory(t)
	author, _ := e.MustUser(t)
	moderator, _ := e.MustModerator(t, site.ID)
	reader, _ := e.MustUser(t)
	viewers := []struct {
		name     string
		ctx      context.Context
		seesHeld bool
	}{
		{"its author", author, true},
		{"a moderator of the site", moderator, true},
		{"another reader", reader, false},
		{"an anonymous reader", context.Background(), false},
	}
	created := make([]<-chan *parley.Comment, len(viewers))
	changed := make([]<-chan *parley.Comment, len(viewers))
	for i, v := range viewers {
		created[i] = subscribe(t, e, v.ctx, story.ID, true)
		changed[i] = subscribe(t, e, v.ctx, story.ID, false)
	}

	held, ev := e.MustHeldComment(t, author, story.ID, "held for review")
	e.source.Publish(t, ev)
	// A published comment after it: whoever gets this one first never got the held one.
	after := e.MustComment(t, reader, story.ID, "", "published after")
	e.PublishPending(t)
	for i, v := range viewers {
		t.Run("the held comment reaches "+v.name+" only if they may see it", func(t *testing.T) {
			got := MustReceive(t, created[i])
			if v.seesHeld {
				if got.ID != held.ID || got.Status != parley.StatusPending || got.BodySource != "held for review" {
					t.Fatalf("got %+v, want the held comment", got)
				}
				got = MustReceive(t, created[i])
			}
			if got.ID != after.ID || got.Status != parley.StatusPublished {
				t.Fatalf("got %+v, want the published comment after it", got)
			}
		})
	}

	if _, err := e.queues.ApproveComment(moderator, parley.ModerateInput{CommentID: held.ID}); err != nil {
		t.Fatal(err)
	}
	e.PublishPending(t)
	for i, v := range viewers {
		t.Run("its approval reaches "+v.name+" with the comment", func(t *testing.T) {
			if got := MustReceive(t, changed[i]); got.ID != held.ID || got.Status != parley.StatusPublished || got.BodySource != "held for review" {
				t.Fatalf("got %+v", got)
			}
		})
	}

	if _, err := e.queues.RejectComment(moderator, parley.ModerateInput{CommentID: held.ID, Reason: parley.RejectOffTopic}); err != nil {
		t.Fatal(err)
	}
	e.PublishPending(t)
	for i, v := range viewers {
		t.Run("its rejection reaches "+v.name+" with content only if they may still see it", func(t *testing.T) {
			got := MustReceive(t, changed[i])
			if got.ID != held.ID || got.Status != parley.StatusRejected {
				t.Fatalf("got %+v", got)
			}
			if hasBody := got.BodySource != ""; hasBody != v.seesHeld {
				t.Fatalf("body %q sent to %s", got.BodySource, v.name)
			}
		})
	}
}

func TestCreatedCommentIsBuiltFromTheEvent(t *testing.T) {
	e := MustEnv(t)
	_, story := e.MustStory(t)
	reader, _ := e.MustUser(t)
	ch := subscribe(t, e, reader, story.ID, true)

	// No row holds either comment: reading one back would find nothing.
	e.source.Publish(t, parley.Event{ID: newID(), SiteID: story.SiteID, StoryID: story.ID,
		Payload: parley.CommentCreated{CommentSnapshot: parley.CommentSnapshot{ID: newID(), StoryID: story.ID,
			SiteID: story.SiteID, Status: parley.StatusPending, BodySource: "a held comment is read back"}}})
	ev := published(story, "from the event alone")
	e.source.Publish(t, ev)

	got := MustReceive(t, ch)
	want := ev.Payload.(parley.CommentCreated)
	if got.ID != want.ID || got.BodySource != "from the event alone" || got.Body != want.Body || got.AuthorID != want.AuthorID ||
		got.RootID != want.ID || !got.CreatedAt.Equal(want.CreatedAt) || got.Status != parley.StatusPublished {
		t.Fatalf("got %+v, want the event's comment %+v (and not the held one, which no one may see)", got, want)
	}
}

func TestSlowSubscriberLosesEventsWithoutBlockingOthers(t *testing.T) {
	e := MustEnv(t)
	_, story := e.MustStory(t)
	fast := subscribe(t, e, context.Background(), story.ID, true)
	slow := subscribe(t, e, context.Background(), story.ID, true)

	const n = 300 // more than a subscription buffers
	var sent []string
	for i := range n {
		ev := published(story, "comment")
		sent = append(sent, ev.Payload.(parley.CommentCreated).ID)
		// Publish fails the test if live stops taking events because slow does not read.
		e.source.Publish(t, ev)
		if got := MustReceive(t, fast); got.ID != sent[i] {
			t.Fatalf("the fast subscriber got %s as event %d, want %s", got.ID, i, sent[i])
		}
	}
	// Once the source hands slow's stream the next event, that stream has dealt with every
	// event before it: what slow has not taken by then is lost.
	e.source.Publish(t, published(story, "barrier"))

	var got []string
read:
	for {
		select {
		case c := <-slow:
			if c.BodySource == "barrier" {
				break read
			}
			got = append(got, c.ID)
		default:
			break read
		}
	}
	if len(got) == 0 || len(got) >= n {
		t.Fatalf("the slow subscriber kept %d of %d events, want a few: it loses the rest", len(got), n)
	}
	for i, id := range got {
		if id != sent[i] {
			t.Fatalf("the slow subscriber's event %d is %s, want %s: it keeps what it had, in order", i, id, sent[i])
		}
	}

	t.Run("once it reads again, it gets the next events", func(t *testing.T) {
		e.source.Publish(t, published(story, "after it caught up"))
		for c := MustReceive(t, slow); c.BodySource != "after it caught up"; c = MustReceive(t, slow) {
			if c.BodySource != "barrier" {
				t.Fatalf("a lost event arrived late: %+v", c)
			}
		}
	})
}

func TestQueueEventsAreForModerators(t *testing.T) {
	e := MustEnv(t)
	site, story := e.MustStory(t)
	moderator, _ := e.MustModerator(t, site.ID)
	reader, _ := e.MustUser(t)

	t.Run("an anonymous viewer is UNAUTHENTICATED", func(t *testing.T) {
		if _, err := e.live.QueueEvents(context.Background(), site.ID); parley.ErrorCode(err) != parley.EUNAUTHENTICATED {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a reader is FORBIDDEN", func(t *testing.T) {
		if _, err := e.live.QueueEvents(reader, site.ID); parley.ErrorCode(err) != parley.EFORBIDDEN {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("a moderator hears of every comment event, reports included", func(t *testing.T) {
		ctx, cancel := context.WithCancel(moderator)
		defer cancel()
		ch, err := e.live.QueueEvents(ctx, site.ID)
		if err != nil {
			t.Fatal(err)
		}
		c := e.MustComment(t, reader, story.ID, "", "reported soon")
		other, _ := e.MustUser(t)
		if _, err := e.reports.ReportComment(other, parley.ReportInput{CommentID: c.ID, Reason: parley.ReportSpam}); err != nil {
			t.Fatal(err)
		}
		e.PublishPending(t)
		for _, kind := range []string{parley.EventCommentCreated, parley.EventCommentReported} {
			if got := MustReceive(t, ch); got.Kind != kind || got.Comment.ID != c.ID {
				t.Fatalf("got %s %+v, want %s", got.Kind, got.Comment, kind)
			}
		}
	})
}

func TestNotifications(t *testing.T) {
	e := MustEnv(t)
	site, story := e.MustStory(t)
	author, authorUser := e.MustUser(t)
	replier, _ := e.MustUser(t)
	moderator, _ := e.MustModerator(t, site.ID)
	ctx, cancel := context.WithCancel(author)
	defer cancel()
	ch, err := e.live.Notifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.live.Notifications(context.Background()); parley.ErrorCode(err) != parley.EUNAUTHENTICATED {
		t.Fatalf("an anonymous viewer's notifications: err = %v", err)
	}

	mine := e.MustComment(t, author, story.ID, "", "mine")
	e.MustComment(t, author, story.ID, mine.ID, "my own reply tells me nothing")
	reply := e.MustComment(t, replier, story.ID, mine.ID, "a reply")
	if _, err := e.queues.RejectComment(moderator, parley.ModerateInput{CommentID: mine.ID, Reason: parley.RejectOffTopic}); err != nil {
		t.Fatal(err)
	}
	e.PublishPending(t)

	t.Run("a reply to the viewer's comment", func(t *testing.T) {
		if got := MustReceive(t, ch); got.Kind != parley.NotificationReply || got.Comment.ID != reply.ID || got.Comment.BodySource != "a reply" {
			t.Fatalf("got %s %+v", got.Kind, got.Comment)
		}
	})
	t.Run("a moderator's decision on it", func(t *testing.T) {
		if got := MustReceive(t, ch); got.Kind != parley.NotificationDecision || got.Comment.ID != mine.ID ||
			got.Comment.Status != parley.StatusRejected || got.Comment.AuthorID != authorUser.ID {
			t.Fatalf("got %s %+v", got.Kind, got.Comment)
		}
	})
}

func TestSubscriptionsEndWithTheirContext(t *testing.T) {
	e := MustEnv(t)
	_, story := e.MustStory(t)
	before := e.live.Subscribers()
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := e.live.CommentEvents(ctx, story.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if n := e.live.Subscribers(); n != before+1 {
		t.Fatalf("%d streams while subscribed, want %d", n, before+1)
	}
	cancel()
	for range ch {
	}
	t.Run("a story that does not exist is NOT_FOUND", func(t *testing.T) {
		if _, err := e.live.CommentEvents(context.Background(), newID(), true); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("err = %v", err)
		}
	})
}

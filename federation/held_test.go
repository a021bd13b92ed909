package federation_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/federation"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

func TestAReplyWaitsForItsParent(t *testing.T) {
	ctx := context.Background()
	store, db := MustStore(t)
	admin := parley.NewContextWithUser(ctx, &parley.User{ID: "00000000-0000-0000-0000-000000000001", Username: "root", Admin: true})
	if _, err := postgres.NewSiteService(db).CreateSite(admin, parley.CreateSiteInput{Name: "News", AllowedOrigins: []string{"https://news.example"}}); err != nil {
		t.Fatal(err)
	}
	comments := postgres.NewCommentService(db, markup.NewRenderer())
	applier := federation.NewCommentApplier("beta", store, postgres.NewStoryService(db), comments, nil).HoldRepliesIn(store)
	_, priv := MustKey(t)
	alpha := federation.NewSigner("alpha", priv)
	apply := func(kind string, payload any) {
		t.Helper()
		if err := applier.Apply(ctx, federation.MustVerified(t, mustEnvelope(t, alpha, kind, payload))); err != nil {
			t.Fatal(err)
		}
	}
	reply := func(id, parent, body string) *federation.CommentPayload {
		c := comment("alpha", id)
		c.Parent, c.BodySource = &federation.ObjectRef{Instance: "alpha", ID: parent}, body
		return c
	}
	local := func(remoteID string) *parley.Comment {
		t.Helper()
		id, err := store.FindRemoteComment(ctx, "alpha", remoteID)
		if err != nil {
			return nil
		}
		c, err := comments.FindCommentByID(admin, id)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	t.Run("a reply delivered before its parent is not shown", func(t *testing.T) {
		apply(federation.KindCommentCreated, reply("r1", "p1", "First answer"))
		apply(federation.KindCommentEdited, reply("r1", "p1", "First answer, edited"))
		apply(federation.KindCommentCreated, reply("r2", "r1", "An answer to the answer"))
		for _, id := range []string{"r1", "r2"} {
			if c := local(id); c != nil {
				t.Fatalf("%s shown before its parent, under %q", id, c.ParentID)
			}
		}
	})
	t.Run("the parent's arrival attaches the reply, its edit and its own reply", func(t *testing.T) {
		apply(federation.KindCommentCreated, comment("alpha", "p1"))
		p1, r1, r2 := local("p1"), local("r1"), local("r2")
		if p1 == nil || r1 == nil || r2 == nil {
			t.Fatalf("p1 %v, r1 %v, r2 %v", p1, r1, r2)
		}
		if r1.ParentID != p1.ID || r2.ParentID != r1.ID {
			t.Fatalf("r1 under %q (want %q), r2 under %q (want %q)", r1.ParentID, p1.ID, r2.ParentID, r1.ID)
		}
		if r1.BodySource != "First answer, edited" {
			t.Fatalf("r1 reads %q", r1.BodySource)
		}
		if held, _ := store.HeldReplies(ctx, "alpha", "p1"); len(held) != 0 {
			t.Fatalf("still held: %v", held)
		}
	})
	t.Run("a reply to a parent deleted first is shown at the top level at once", func(t *testing.T) {
		apply(federation.KindTombstone, &federation.TombstonePayload{Object: federation.ObjectRef{Instance: "alpha", ID: "gone"}, Type: "comment"})
		apply(federation.KindCommentCreated, reply("r3", "gone", "Answer to a deleted comment"))
		if c := local("r3"); c == nil || c.ParentID != "" {
			t.Fatalf("r3 = %+v", c)
		}
	})
	t.Run("a reply whose parent never comes is shown at the top level once overdue", func(t *testing.T) {
		apply(federation.KindCommentCreated, reply("r4", "never", "Answer to a comment never shared"))
		if n, err := applier.ReleaseOverdue(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("released %d, %v before it was overdue", n, err)
		}
		if c := local("r4"); c != nil {
			t.Fatal("r4 shown before it was overdue")
		}
		if n, err := applier.ReleaseOverdue(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("released %d, %v", n, err)
		}
		if c := local("r4"); c == nil || c.ParentID != "" {
			t.Fatalf("r4 = %+v", c)
		}
	})
}

func TestAnAccountTombstoneErasesTheRemoteUser(t *testing.T) {
	ctx := context.Background()
	store, db := MustStore(t)
	admin := parley.NewContextWithUser(ctx, &parley.User{ID: "00000000-0000-0000-0000-000000000001", Username: "root", Admin: true})
	if _, err := postgres.NewSiteService(db).CreateSite(admin, parley.CreateSiteInput{Name: "News", AllowedOrigins: []string{"https://news.example"}}); err != nil {
		t.Fatal(err)
	}
	comments := postgres.NewCommentService(db, markup.NewRenderer())
	applier := federation.NewCommentApplier("beta", store, postgres.NewStoryService(db), comments, nil).
		EraseUsersWith(postgres.NewAccountStore(db))
	_, priv := MustKey(t)
	alpha := federation.NewSigner("alpha", priv)
	apply := func(kind string, payload any) {
		t.Helper()
		if err := applier.Apply(ctx, federation.MustVerified(t, mustEnvelope(t, alpha, kind, payload))); err != nil {
			t.Fatal(err)
		}
	}
	apply(federation.KindCommentCreated, comment("alpha", "c1"))
	other := comment("alpha", "c2")
	other.Author = federation.RemoteUser{Instance: "alpha", ID: "u2", Username: "bo"}
	apply(federation.KindCommentCreated, other)
	copyID, err := store.FindRemoteComment(ctx, "alpha", "c1")
	if err != nil {
		t.Fatal(err)
	}
	apply(federation.KindTombstone, &federation.TombstonePayload{Object: federation.ObjectRef{Instance: "alpha", ID: "u1"}, Type: "user"})
	t.Run("the remote user's record is gone", func(t *testing.T) {
		if _, err := store.FindRemoteUser(ctx, "alpha", "u1"); parley.ErrorCode(err) != parley.ENOTFOUND {
			t.Fatalf("u1@alpha: %v", err)
		}
	})
	t.Run("their comment is no longer shown", func(t *testing.T) {
		c, err := comments.FindCommentByID(admin, copyID)
		if err == nil && c.Status != parley.StatusDeleted {
			t.Fatalf("c1 is %s, by %q", c.Status, c.AuthorID)
		}
	})
	t.Run("another user of the same instance keeps theirs", func(t *testing.T) {
		id, err := store.FindRemoteComment(ctx, "alpha", "c2")
		if err != nil {
			t.Fatal(err)
		}
		if c, err := comments.FindCommentByID(admin, id); err != nil || c.Status != parley.StatusPublished {
			t.Fatalf("c2 = %+v, %v", c, err)
		}
	})
	t.Run("an account tombstone for a user never held is acknowledged as done", func(t *testing.T) {
		apply(federation.KindTombstone, &federation.TombstonePayload{Object: federation.ObjectRef{Instance: "alpha", ID: "u9"}, Type: "user"})
	})
}

// gatedComments holds the first creation of a comment with body until proceed is closed,
// and tells entered of every creation of it: a test can stop one release of a held reply
// inside its apply and see whether another one gets there too.
type gatedComments struct {
	parley.CommentService
	body    string
	entered chan struct{}
	proceed chan struct{}
	mu      sync.Mutex
	n       int
}

func (g *gatedComments) CreateComment(ctx context.Context, in parley.CreateCommentInput) (*parley.Comment, error) {
	if in.Body == g.body {
		g.mu.Lock()
		g.n++
		first := g.n == 1
		g.mu.Unlock()
		g.entered <- struct{}{}
		if first {
			<-g.proceed
		}
	}
	return g.CommentService.CreateComment(ctx, in)
}

// listedHeld tells listed once the overdue replies were read.
type listedHeld struct {
	parley.HeldReplyStore
	listed chan struct{}
}

func (l *listedHeld) OverdueReplies(ctx context.Context, before time.Time, limit int) ([]parley.HeldReply, error) {
	h, err := l.HeldReplyStore.OverdueReplies(ctx, before, limit)
	close(l.listed)
	return h, err
}

// TestAHeldReplyIsAppliedOnceWhenReleasedTwiceAtOnce races the two releases of a held reply:
// the overdue release has read it and is applying it when its parent arrives, whose release
// reads it too. Whichever gets into the apply first is held there until the other is done:
// the other must skip the reply, and the reply exists once.
func TestAHeldReplyIsAppliedOnceWhenReleasedTwiceAtOnce(t *testing.T) {
	ctx := context.Background()
	store, db := MustStore(t)
	admin := parley.NewContextWithUser(ctx, &parley.User{ID: "00000000-0000-0000-0000-000000000001", Username: "root", Admin: true})
	if _, err := postgres.NewSiteService(db).CreateSite(admin, parley.CreateSiteInput{Name: "News", AllowedOrigins: []string{"https://news.example"}}); err != nil {
		t.Fatal(err)
	}
	const body = "An answer released twice at once"
	comments := &gatedComments{CommentService: postgres.NewCommentService(db, markup.NewRenderer()), body: body,
		entered: make(chan struct{}, 2), proceed: make(chan struct{})}
	held := &listedHeld{HeldReplyStore: store, listed: make(chan struct{})}
	applier := federation.NewCommentApplier("beta", store, postgres.NewStoryService(db), comments, nil).HoldRepliesIn(held)
	_, priv := MustKey(t)
	alpha := federation.NewSigner("alpha", priv)
	apply := func(payload *federation.CommentPayload) error {
		return applier.Apply(ctx, federation.MustVerified(t, mustEnvelope(t, alpha, federation.KindCommentCreated, payload)))
	}
	reply := comment("alpha", "r1")
	reply.Parent, reply.BodySource = &federation.ObjectRef{Instance: "alpha", ID: "p1"}, body
	if err := apply(reply); err != nil {
		t.Fatal(err)
	}
	overdue, parent := make(chan error, 1), make(chan error, 1)
	go func() {
		_, err := applier.ReleaseOverdue(ctx, time.Now().Add(time.Hour))
		overdue <- err
	}()
	<-held.listed
	go func() { parent <- apply(comment("alpha", "p1")) }()
	<-comments.entered
	// One release is inside the apply; the other either finishes or gets there too.
	var errs []error
	select {
	case err := <-overdue:
		errs, overdue = append(errs, err), nil
	case err := <-parent:
		errs, parent = append(errs, err), nil
	case <-comments.entered:
	}
	close(comments.proceed)
	for _, c := range []chan error{overdue, parent} {
		if c != nil {
			errs = append(errs, <-c)
		}
	}
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := postgrestest.Pool(t, db).QueryRow(ctx, `SELECT count(*) FROM comments WHERE body_source = $1`, body).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("the reply exists %d times", n)
	}
	if left, err := store.OverdueReplies(ctx, time.Now().Add(time.Hour), 10); err != nil || len(left) != 0 {
		t.Fatalf("still held: %v, %v", left, err)
	}
}

package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/mail/mailpittest"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// TestNotificationsThroughServe follows a reply from the comment to the replied-to reader's
// bell and mail, and the mail's one-click unsubscribe, through a real `parley serve`.
func TestNotificationsThroughServe(t *testing.T) {
	pit := mailpittest.MustOpen(t)
	dsn, drop, err := postgrestest.CreateDatabase(context.Background())
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	t.Cleanup(func() { _ = drop() })
	const public = "http://comments.example"
	base := startServe(t, map[string]string{
		"DATABASE_URL": dsn, "PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": t.TempDir(), "PARLEY_PUBLIC_URL": public,
		"PARLEY_SMTP_URL": pit.SMTPURL, "PARLEY_ADMIN_EMAIL": "admin@example.org", "PARLEY_ADMIN_PASSWORD": "an admin password",
	})
	var signIn struct{ SignIn struct{ Token string } }
	mustGQL(t, base, "", `mutation($i: SignInInput!) { signIn(input: $i) { token } }`,
		map[string]any{"i": map[string]any{"login": "admin@example.org", "password": "an admin password"}}, &signIn)
	mustGQL(t, base, signIn.SignIn.Token, `mutation { createSite(input: {name: "News", allowedOrigins: ["https://news.example.org"]}) { id } }`, nil, nil)
	var story struct{ Story struct{ ID string } }
	mustGQL(t, base, "", `{ story(url: "https://news.example.org/a") { id } }`, nil, &story)
	signUp := func(name, email string) string {
		var up struct{ SignUp struct{ Token string } }
		mustGQL(t, base, "", `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
			map[string]any{"i": map[string]any{"email": email, "username": name, "password": "a long enough password"}}, &up)
		return up.SignUp.Token
	}
	annMail := mailpittest.Address(t)
	ann, bob := signUp("ann", annMail), signUp("bob", mailpittest.Address(t))
	mustGQL(t, base, ann, `mutation { setNotificationDelivery(input: {kind: REPLY, delivery: EMAIL, language: "en"}) { kind delivery } }`, nil, nil)
	var c struct {
		CreateComment struct{ Comment struct{ ID string } }
	}
	mustGQL(t, base, ann, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
		map[string]any{"i": map[string]any{"storyID": story.Story.ID, "body": "First!"}}, &c)
	mustGQL(t, base, bob, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
		map[string]any{"i": map[string]any{"storyID": story.Story.ID, "parentID": c.CreateComment.Comment.ID, "body": "Second, @ann."}}, nil)

	t.Run("the reply reaches the bell once, not twice for the mention", func(t *testing.T) {
		// The consumer follows the event stream: wait for it, within a deadline.
		deadline := time.Now().Add(30 * time.Second)
		var count struct{ UnreadNotificationCount int }
		for count.UnreadNotificationCount == 0 && time.Now().Before(deadline) {
			mustGQL(t, base, ann, `{ unreadNotificationCount }`, nil, &count)
			if count.UnreadNotificationCount == 0 {
				<-time.After(20 * time.Millisecond)
			}
		}
		var page struct {
			Notifications struct {
				Edges []struct {
					Node struct {
						Kind    string
						Actor   struct{ Username string }
						Comment struct{ Body string }
					}
				}
			}
		}
		mustGQL(t, base, ann, `{ notifications(first: 10) { edges { node { kind actor { username } comment { body } } } } }`, nil, &page)
		if e := page.Notifications.Edges; len(e) != 1 || e[0].Node.Kind != "REPLY" || e[0].Node.Actor.Username != "bob" || !strings.Contains(e[0].Node.Comment.Body, "Second") {
			t.Fatalf("notifications = %+v", page)
		}
		var marked struct{ MarkNotificationsRead int }
		mustGQL(t, base, ann, `mutation { markNotificationsRead }`, nil, &marked)
		mustGQL(t, base, ann, `{ unreadNotificationCount }`, nil, &count)
		if marked.MarkNotificationsRead != 1 || count.UnreadNotificationCount != 0 {
			t.Errorf("marked %d, unread after %d", marked.MarkNotificationsRead, count.UnreadNotificationCount)
		}
	})

	t.Run("a mention reaches the reader's bell live", func(t *testing.T) {
		next := subscribe(t, base, ann, `subscription { notificationAdded { kind actor { username } } }`)
		mustGQL(t, base, bob, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
			map[string]any{"i": map[string]any{"storyID": story.Story.ID, "body": "What does @ann think?"}}, nil)
		p := next()
		got, _ := p["data"].(map[string]any)["notificationAdded"].(map[string]any)
		if got["kind"] != "MENTION" || got["actor"].(map[string]any)["username"] != "bob" {
			t.Fatalf("got %v", p)
		}
	})

	t.Run("the mail's one-click unsubscribe turns the mail off, and a tampered one is refused", func(t *testing.T) {
		var link string
		for _, m := range pit.MustMessages(t, annMail, 2) {
			if m.Subject == "Someone replied to your comment" {
				link = strings.Trim(m.Headers["List-Unsubscribe"][0], "<>")
			}
		}
		if link == "" {
			t.Fatal("no reply mail")
		}
		link = strings.Replace(link, public, base, 1)
		post := func(u string) int {
			res, err := http.Post(u, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			return res.StatusCode
		}
		if status := post(link[:len(link)-3] + "AAA"); status != http.StatusBadRequest {
			t.Errorf("tampered: %d, want 400", status)
		}
		if status := post(link); status != http.StatusOK {
			t.Fatalf("unsubscribe: %d", status)
		}
		var s struct {
			NotificationSettings []struct{ Kind, Delivery string }
		}
		mustGQL(t, base, ann, `{ notificationSettings { kind delivery } }`, nil, &s)
		if s.NotificationSettings[0].Kind != "REPLY" || s.NotificationSettings[0].Delivery != "WIDGET" {
			t.Errorf("settings = %+v", s)
		}
	})
}

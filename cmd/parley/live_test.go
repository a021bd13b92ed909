package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	natsgo "github.com/nats-io/nats.go"
	goredis "github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/postgres/postgrestest"
)

// startServe runs `parley serve` with env and returns its base URL; the server stops when
// the test ends.
func startServe(t *testing.T, env map[string]string) string {
	t.Helper()
	return startServeLogging(t, env, io.Discard)
}

// startServeLogging is startServe with the server's log written to logs.
func startServeLogging(t testing.TB, env map[string]string, logs io.Writer) string {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, w, logs)
		w.Close()
	}()
	t.Cleanup(func() {
		stop()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("server did not stop")
		}
	})
	lines := bufio.NewScanner(out)
	re := regexp.MustCompile(`listening on (http://\S+)`)
	for lines.Scan() {
		if m := re.FindStringSubmatch(lines.Text()); m != nil {
			go io.Copy(io.Discard, out)
			return m[1]
		}
	}
	t.Fatalf("server did not start: %v", <-done)
	return ""
}

// subscribe opens a graphql-transport-ws subscription and returns a function that waits for
// the next payload.
func subscribe(t *testing.T, base, token, query string) func() map[string]any {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	url := "ws" + strings.TrimPrefix(base, "http") + "/graphql"
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		c.Close(websocket.StatusNormalClosure, "")
	})
	init := map[string]any{"type": "connection_init", "payload": map[string]any{}}
	if token != "" {
		init["payload"] = map[string]any{"authorization": "Bearer " + token}
	}
	if err := wsjson.Write(ctx, c, init); err != nil {
		t.Fatal(err)
	}
	var ack map[string]any
	if err := wsjson.Read(ctx, c, &ack); err != nil || ack["type"] != "connection_ack" {
		t.Fatalf("connection_ack: %v, %v", ack, err)
	}
	if err := wsjson.Write(ctx, c, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": query}}); err != nil {
		t.Fatal(err)
	}
	return func() map[string]any {
		t.Helper()
		readCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		for {
			var msg struct {
				Type    string
				Payload json.RawMessage
			}
			if err := wsjson.Read(readCtx, c, &msg); err != nil {
				if ctx.Err() != nil {
					return nil // the test is over and closed the connection
				}
				t.Fatalf("waiting for an event: %v", err)
			}
			switch msg.Type {
			case "next":
				var p map[string]any
				_ = json.Unmarshal(msg.Payload, &p)
				return p
			case "error":
				var errs []any
				_ = json.Unmarshal(msg.Payload, &errs)
				return map[string]any{"errors": errs}
			case "complete":
				t.Fatalf("subscription ended: %s", msg.Payload)
			}
		}
	}
}

// warm posts probe comments until every subscription has received one: a subscription is
// live only once its server has subscribed on NATS, which the client cannot see. It returns
// readers that skip the probes.
func warm(t *testing.T, post func(body string), field string, subs ...func() map[string]any) []func() map[string]any {
	t.Helper()
	pending := make([]chan map[string]any, len(subs))
	for i, next := range subs {
		pending[i] = make(chan map[string]any, 1)
		go func(ch chan map[string]any, next func() map[string]any) { ch <- next() }(pending[i], next)
	}
	warmed := make([]bool, len(subs))
	for round := 0; ; round++ {
		post(fmt.Sprintf("probe %d", round))
		deadline := time.After(time.Second)
	wait:
		for {
			done := true
			for i, w := range warmed {
				if !w {
					done = false
					select {
					case <-pending[i]:
						warmed[i] = true
					default:
					}
				}
			}
			if done {
				break
			}
			select {
			case <-deadline:
				break wait
			case <-time.After(10 * time.Millisecond):
			}
		}
		all := true
		for _, w := range warmed {
			all = all && w
		}
		if all {
			break
		}
		if round == 10 {
			t.Fatal("subscriptions never went live")
		}
	}
	out := make([]func() map[string]any, len(subs))
	for i, next := range subs {
		out[i] = func() map[string]any {
			for {
				p := next()
				c, _ := p["data"].(map[string]any)[field].(map[string]any)
				if body, _ := c["body"].(string); !strings.HasPrefix(body, "<p>probe") && !strings.HasPrefix(body, "probe") {
					return p
				}
			}
		}
	}
	return out
}

// TestLiveAcrossReplicas runs two servers on one database and one NATS: a comment posted
// through one reaches a subscriber of the other.
func TestLiveAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	natsURL := MustNATS(t)
	nc, err := natsgo.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	dsn, drop, err := postgrestest.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = drop() })
	// The replicas share their rate limits through Redis, under this test's own instance name.
	redisURL := MustRedisURL(t)
	// Its own instance name keeps this test's subjects apart from anything else on the server.
	instance := fmt.Sprintf("test%d", time.Now().UnixNano())
	t.Cleanup(func() {
		if js, err := nc.JetStream(); err == nil {
			_ = js.PurgeStream("PARLEY_EVENTS", &natsgo.StreamPurgeRequest{Subject: "parley." + instance + ".>"})
		}
		nc.Close()
	})
	env := func(dir string) map[string]string {
		return map[string]string{"DATABASE_URL": dsn, "NATS_URL": natsURL, "PARLEY_INSTANCE": instance, "REDIS_URL": redisURL,
			"PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": dir, "PARLEY_PUBLIC_URL": "http://localhost:8080",
			"PARLEY_ADMIN_EMAIL": "admin@example.org", "PARLEY_ADMIN_PASSWORD": "an admin password"}
	}
	a := startServe(t, env(t.TempDir()))
	b := startServe(t, env(t.TempDir()))

	var signIn struct{ SignIn struct{ Token string } }
	mustGQL(t, a, "", `mutation($i: SignInInput!) { signIn(input: $i) { token } }`,
		map[string]any{"i": map[string]any{"login": "admin@example.org", "password": "an admin password"}}, &signIn)
	mustGQL(t, a, signIn.SignIn.Token, `mutation { createSite(input: {name: "Live", allowedOrigins: ["https://live.example.org"]}) { id } }`, nil, nil)
	var story struct{ Story struct{ ID string } }
	mustGQL(t, a, "", `{ story(url: "https://live.example.org/a") { id } }`, nil, &story)
	var up struct{ SignUp struct{ Token string } }
	mustGQL(t, a, "", `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
		map[string]any{"i": map[string]any{"email": "ann@example.org", "username": "ann", "password": "a long enough password"}}, &up)

	next := subscribe(t, b, "", `subscription { commentCreated(storyID: "`+story.Story.ID+`") { id body author { username } } }`)
	// The subscription is live once the server has subscribed on NATS; a comment posted
	// before that would be missed, so post until one arrives (at most a few).
	got := make(chan map[string]any, 1)
	go func() { got <- next() }()
	for i := 0; ; i++ {
		var c struct {
			CreateComment struct{ Comment struct{ ID string } }
		}
		mustGQL(t, a, up.SignUp.Token, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
			map[string]any{"i": map[string]any{"storyID": story.Story.ID, "body": fmt.Sprintf("Hello from replica A, %d", i)}}, &c)
		select {
		case p := <-got:
			if p["data"] == nil {
				t.Fatalf("event without data: %v", p)
			}
			data := p["data"].(map[string]any)["commentCreated"].(map[string]any)
			if !strings.Contains(data["body"].(string), "Hello from replica A") || data["author"].(map[string]any)["username"] != "ann" {
				t.Fatalf("event = %v", p)
			}
		case <-time.After(time.Second):
			if i == 10 {
				t.Fatal("no event reached the other replica")
			}
			continue
		}
		break
	}

	t.Run("a held comment reaches its author but not other readers", func(t *testing.T) {
		var site struct {
			Story struct{ Site struct{ ID string } }
		}
		mustGQL(t, a, "", `{ story(url: "https://live.example.org/a") { site { id } } }`, nil, &site)
		mustGQL(t, a, signIn.SignIn.Token, `mutation($i: SiteSettingsInput!) { updateSiteSettings(input: $i) { id } }`,
			map[string]any{"i": map[string]any{"siteID": site.Story.Site.ID, "premodLinks": true}}, nil)
		post := func(body string) {
			mustGQL(t, a, up.SignUp.Token, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
				map[string]any{"i": map[string]any{"storyID": story.Story.ID, "body": body}}, nil)
		}
		subs := warm(t, post, "commentCreated",
			subscribe(t, b, "", `subscription { commentCreated(storyID: "`+story.Story.ID+`") { body status } }`),
			subscribe(t, b, up.SignUp.Token, `subscription { commentCreated(storyID: "`+story.Story.ID+`") { body status } }`))
		reader, author := subs[0], subs[1]
		post("see https://held.example for details")
		post("a plain published comment")
		first := func(p map[string]any) map[string]any {
			return p["data"].(map[string]any)["commentCreated"].(map[string]any)
		}
		if got := first(reader()); got["status"] != "PUBLISHED" || got["body"] == "" || strings.Contains(got["body"].(string), "held.example") {
			t.Fatalf("reader's first event = %v", got)
		}
		if got := first(author()); got["status"] != "PENDING" {
			t.Fatalf("author's first event = %v", got)
		}
	})
	t.Run("moderators follow their site's queues; readers may not", func(t *testing.T) {
		var site struct {
			Story struct{ Site struct{ ID string } }
		}
		mustGQL(t, a, "", `{ story(url: "https://live.example.org/a") { site { id } } }`, nil, &site)
		q := `subscription { moderationQueueUpdated(siteID: "` + site.Story.Site.ID + `") { kind comment { id body status } } }`
		denied := subscribe(t, b, up.SignUp.Token, q)()
		if errs, _ := denied["errors"].([]any); len(errs) == 0 || !strings.Contains(fmt.Sprint(errs), "FORBIDDEN") {
			t.Fatalf("a reader subscribed to the queues: %v", denied)
		}
		mod := subscribe(t, b, signIn.SignIn.Token, q)
		var c struct {
			CreateComment struct{ Comment struct{ ID string } }
		}
		got := make(chan map[string]any, 1)
		go func() { got <- mod() }()
		for i := 0; ; i++ {
			mustGQL(t, a, up.SignUp.Token, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
				map[string]any{"i": map[string]any{"storyID": story.Story.ID, "body": fmt.Sprintf("for the moderators %d https://link.example", i)}}, &c)
			select {
			case p := <-got:
				ev := p["data"].(map[string]any)["moderationQueueUpdated"].(map[string]any)
				if ev["kind"] != "comment.created" || ev["comment"].(map[string]any)["status"] != "PENDING" {
					t.Fatalf("queue event = %v", ev)
				}
				return
			case <-time.After(time.Second):
				if i == 10 {
					t.Fatal("no queue event")
				}
			}
		}
	})
	t.Run("an author hears of replies and decisions", func(t *testing.T) {
		var mine struct {
			CreateComment struct{ Comment struct{ ID string } }
		}
		mustGQL(t, a, up.SignUp.Token, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
			map[string]any{"i": map[string]any{"storyID": story.Story.ID, "body": "reply to me, please"}}, &mine)
		notes := subscribe(t, b, up.SignUp.Token, `subscription { notifications { kind comment { id body status } } }`)
		got := make(chan map[string]any, 4)
		go func() {
			for p := notes(); p != nil; p = notes() {
				got <- p
			}
		}()
		// The admin replies until the subscription is live and the first reply arrives.
		var first map[string]any
		for i := 0; first == nil; i++ {
			mustGQL(t, a, signIn.SignIn.Token, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
				map[string]any{"i": map[string]any{"storyID": story.Story.ID, "parentID": mine.CreateComment.Comment.ID, "body": fmt.Sprintf("a reply %d", i)}}, nil)
			select {
			case first = <-got:
			case <-time.After(time.Second):
				if i == 10 {
					t.Fatal("no reply notification")
				}
			}
		}
		if n := first["data"].(map[string]any)["notifications"].(map[string]any); n["kind"] != "REPLY" {
			t.Fatalf("notification = %v", n)
		}
		mustGQL(t, a, signIn.SignIn.Token, `mutation($i: ModerateInput!) { rejectComment(input: $i) { comment { id } } }`,
			map[string]any{"i": map[string]any{"commentID": mine.CreateComment.Comment.ID, "reason": "OFF_TOPIC"}}, nil)
		for {
			select {
			case p := <-got:
				n := p["data"].(map[string]any)["notifications"].(map[string]any)
				if n["kind"] == "REPLY" {
					continue // a later reply from the warm-up
				}
				if n["kind"] != "DECISION" || n["comment"].(map[string]any)["status"] != "REJECTED" {
					t.Fatalf("notification = %v", n)
				}
				return
			case <-time.After(10 * time.Second):
				t.Fatal("no decision notification")
			}
		}
	})
	t.Run("a connection may not hold too many subscriptions", func(t *testing.T) {
		ctx := context.Background()
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(b, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(websocket.StatusNormalClosure, "")
		_ = wsjson.Write(ctx, c, map[string]any{"type": "connection_init"})
		var ack map[string]any
		if err := wsjson.Read(ctx, c, &ack); err != nil || ack["type"] != "connection_ack" {
			t.Fatalf("ack: %v %v", ack, err)
		}
		for i := 1; i <= 21; i++ {
			_ = wsjson.Write(ctx, c, map[string]any{"id": fmt.Sprint(i), "type": "subscribe",
				"payload": map[string]any{"query": `subscription { commentCreated(storyID: "` + story.Story.ID + `") { id } }`}})
		}
		readCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		for {
			var msg struct {
				ID, Type string
				Payload  json.RawMessage
			}
			if err := wsjson.Read(readCtx, c, &msg); err != nil {
				t.Fatalf("no refusal: %v", err)
			}
			// A refused subscription ends with an error, as "error" or as "next" with errors.
			if msg.Type == "error" || msg.Type == "next" && strings.Contains(string(msg.Payload), `"errors"`) {
				if !strings.Contains(string(msg.Payload), "RATE_LIMITED") { // subscriptions start concurrently: any one of them may be the 21st
					t.Fatalf("refusal of %s = %s", msg.ID, msg.Payload)
				}
				return
			}
		}
	})
	t.Run("reactions update counts live", func(t *testing.T) {
		// Warm up with a commentCreated subscription on the same connection's server: the
		// commentUpdated one is set up the same way, just before it.
		updates := subscribe(t, b, "", `subscription { commentUpdated(storyID: "`+story.Story.ID+`") { id reactions { kind count } } }`)
		warm(t, func(body string) {
			mustGQL(t, a, up.SignUp.Token, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
				map[string]any{"i": map[string]any{"storyID": story.Story.ID, "body": body}}, nil)
		}, "commentCreated", subscribe(t, b, "", `subscription { commentCreated(storyID: "`+story.Story.ID+`") { body } }`))
		var c struct {
			CreateComment struct{ Comment struct{ ID string } }
		}
		mustGQL(t, a, up.SignUp.Token, `mutation($i: CreateCommentInput!) { createComment(input: $i) { comment { id } } }`,
			map[string]any{"i": map[string]any{"storyID": story.Story.ID, "body": "react to this"}}, &c)
		mustGQL(t, a, signIn.SignIn.Token, `mutation($i: ReactionInput!) { addReaction(input: $i) { comment { id } } }`,
			map[string]any{"i": map[string]any{"commentID": c.CreateComment.Comment.ID, "kind": "respect"}}, nil)
		got := updates()["data"].(map[string]any)["commentUpdated"].(map[string]any)
		reactions := got["reactions"].([]any)
		if got["id"] != c.CreateComment.Comment.ID || len(reactions) != 1 || reactions[0].(map[string]any)["count"] != float64(1) {
			t.Fatalf("update = %v", got)
		}
	})
	if redisURL != "" {
		t.Run("the replicas count their rate limits in Redis, under the instance's prefix", func(t *testing.T) {
			opt, err := goredis.ParseURL(redisURL)
			if err != nil {
				t.Fatal(err)
			}
			c := goredis.NewClient(opt)
			defer c.Close()
			// The rate-limit library puts a prefix of its own in front of ours.
			keys, err := c.Keys(ctx, "*parley:"+instance+":limit:*").Result()
			if err != nil || len(keys) == 0 {
				t.Fatalf("keys = %v, %v", keys, err)
			}
		})
	}
}

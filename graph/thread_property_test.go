package graph_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/pagecache"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/server"
)

// TestThreadCounts runs random sequences of what authors and moderators do to a thread
// (create, reply, edit, approve, reject, delete, ban with rejection, undo) through the API,
// with the default pipeline judging every comment, and after every step checks, for an
// anonymous reader (answered through the read cache, as `parley serve` does), the author and a
// moderator, that every count they are shown equals what they reach by paging, and that what
// they reach is what the rule says they may (see postgres/comment_sight.go).
//
// Sequences are seeded: PARLEY_THREAD_SEED replays a run, and a failure names its sequence,
// its seed and every step before it.
func TestThreadCounts(t *testing.T) {
	t.Parallel()
	const sequences, steps = 12, 25
	seed := propertySeed(t, "PARLEY_THREAD_SEED", 18)
	s := newServicesWithWordLists(shared.DB)
	cache := pagecache.New(8<<20, time.Hour) // only events make an answer stale here
	s.Server = httptest.NewServer(server.New(server.Config{
		Logger: slog.New(slog.NewJSONHandler(s.Logs, nil)), Auth: s.Services.Auth, Sites: s.Services.Sites,
		GraphQL:   graph.NewHandler(s.Services, graph.Options{MaxDepth: 4*replyLevels + 8, Logger: slog.New(slog.NewJSONHandler(s.Logs, nil))}),
		ReadCache: cache.Middleware,
	}))
	defer s.Close()
	admin := s.MustAdmin(t)

	var total threadStats
	began := time.Now()
	for k := range sequences {
		t.Run(fmt.Sprintf("sequence %d of seed %d", k, seed), func(t *testing.T) {
			th := newThread(t, s, admin, cache, rand.New(rand.NewPCG(seed, uint64(k))))
			for i := range steps {
				th.step(t, i)
			}
			total.add(th.stats)
		})
	}
	t.Logf("%d sequences, %d steps (%d refused with a typed error), %d checks by 3 readers, %d reads (%d from the cache) in %s",
		sequences, total.steps, total.refused, total.steps*3, total.reads.requests, total.reads.hits, time.Since(began).Round(time.Millisecond))
	if total.reads.hits == 0 {
		t.Error("the read cache answered nothing: the anonymous reader's checks never reached it")
	}
}

type threadStats struct {
	steps, refused int
	reads          reachCounter
}

func (s *threadStats) add(o threadStats) {
	s.steps += o.steps
	s.refused += o.refused
	s.reads.requests += o.reads.requests
	s.reads.hits += o.reads.hits
}

// thread is one sequence's world: a site with the default pipeline (links held, one banned
// word), a story, an author and another commenter, and a moderator who comments too.
type thread struct {
	s                  *stack
	cache              *pagecache.Cache
	rnd                *rand.Rand
	site               site
	storyID, storyURL  string
	author, other, mod *client
	log                []string
	bodies             int
	// truth is the thread as stored after the last check.
	truth []truthRow
	stats threadStats
}

func newThread(t *testing.T, s *stack, admin *client, cache *pagecache.Cache, rnd *rand.Rand) *thread {
	th := &thread{s: s, cache: cache, rnd: rnd, site: s.MustCreateSite(t, admin),
		author: s.MustSignUp(t), other: s.MustSignUp(t), mod: s.MustSignUp(t)}
	admin.MustDo(t, `mutation($in: WordListInput!) { setWordList(input: $in) { kind } }`, in("siteID", th.site.ID, "kind", "BANNED", "terms", "idiot"), nil)
	admin.MustDo(t, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { id } }`, in("siteID", th.site.ID, "premodLinks", true), nil)
	s.MustGrant(t, th.site.ID, th.mod, parley.RoleModerator)
	th.storyURL = th.site.Origin + "/" + unique("thread")
	var out struct{ Story struct{ ID string } }
	s.anonymous().MustDo(t, `query($url: String) { story(url: $url) { id } }`, map[string]any{"url": th.storyURL}, &out)
	th.storyID = out.Story.ID
	th.relay(t)
	return th
}

// relay does what the outbox relay and the event feed do for `parley serve`: each event of
// the site makes the cached answers read from its story and site stale.
func (th *thread) relay(t *testing.T) {
	t.Helper()
	rows, err := postgrestest.Pool(t, th.s.DB).Query(context.Background(), `
		UPDATE outbox SET published_at = now() WHERE published_at IS NULL AND site_id = $1
		RETURNING coalesce(story_id::text, ''), site_id::text`, th.site.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var story, siteID string
		if err := rows.Scan(&story, &siteID); err != nil {
			t.Fatal(err)
		}
		th.cache.Invalidate(story)
		th.cache.Invalidate(siteID)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// step does one random thing, then checks every reader.
func (th *thread) step(t *testing.T, i int) {
	t.Helper()
	if th.truth == nil {
		th.truth = storedThread(t, th.s, th.storyID)
	}
	what, err := th.act(t, th.truth)
	th.stats.steps++
	if err != nil {
		th.stats.refused++
		what += " → refused: " + err.Error()
	}
	th.log = append(th.log, fmt.Sprintf("%d. %s", i, what))
	th.relay(t)
	th.check(t)
}

// act does one random thing to the thread and says what, or why it was refused.
func (th *thread) act(t *testing.T, truth []truthRow) (string, error) {
	pick := func(keep func(truthRow) bool) (truthRow, bool) {
		var rows []truthRow
		for _, r := range truth {
			if keep(r) {
				rows = append(rows, r)
			}
		}
		if len(rows) == 0 {
			return truthRow{}, false
		}
		return rows[th.rnd.IntN(len(rows))], true
	}
	status := func(statuses ...string) func(truthRow) bool {
		return func(r truthRow) bool {
			for _, s := range statuses {
				if r.status == s {
					return true
				}
			}
			return false
		}
	}
	switch n := th.rnd.IntN(100); {
	case n < 22 || len(truth) == 0:
		who := th.poster()
		return th.post(t, who, "")
	case n < 45:
		if p, ok := pick(status("PUBLISHED")); ok {
			return th.post(t, th.poster(), p.id)
		}
		return th.post(t, th.poster(), "")
	case n < 55:
		if c, ok := pick(func(r truthRow) bool { return status("PUBLISHED", "PENDING")(r) && th.by(r.author) != nil }); ok {
			body := th.body()
			return "edit " + c.id + " by " + th.name(c.author) + " to " + strconv.Quote(body),
				th.mutate(t, th.by(c.author), editComment, in("commentID", c.id, "body", body))
		}
	case n < 67:
		if c, ok := pick(status("PENDING", "REJECTED")); ok {
			return "approve " + c.id, th.mutate(t, th.mod, approveComment, in("commentID", c.id))
		}
	case n < 80:
		if c, ok := pick(status("PUBLISHED", "PENDING")); ok {
			reason := []string{"SPAM", "OFF_TOPIC", "ABUSIVE"}[th.rnd.IntN(3)]
			return "reject " + c.id + " for " + reason, th.mutate(t, th.mod, rejectComment, in("commentID", c.id, "reason", reason))
		}
	case n < 88:
		if c, ok := pick(func(r truthRow) bool { return r.status != "DELETED" && th.by(r.author) != nil }); ok {
			return "delete " + c.id + " (" + c.status + ") by " + th.name(c.author), th.mutate(t, th.by(c.author), deleteComment, in("commentID", c.id))
		}
	case n < 93:
		return th.ban(t)
	default:
		if c, ok := pick(func(r truthRow) bool { return r.status != "DELETED" }); ok {
			return "undo on " + c.id, th.mutate(t, th.mod, undoModeration, in("commentID", c.id))
		}
	}
	return th.post(t, th.poster(), "")
}

// poster picks who writes: the author most often, so that their own view sees the most.
func (th *thread) poster() *client {
	return []*client{th.author, th.author, th.other, th.mod}[th.rnd.IntN(4)]
}

// body is a new body the pipeline publishes, holds (a link) or rejects (the banned word).
func (th *thread) body() string {
	th.bodies++
	switch n := th.rnd.IntN(10); {
	case n < 6:
		return fmt.Sprintf("Comment %d, calm and kind.", th.bodies)
	case n < 8:
		return fmt.Sprintf("Comment %d, see https://example.org/%d", th.bodies, th.bodies)
	}
	return fmt.Sprintf("Comment %d, you idiot.", th.bodies)
}

func (th *thread) post(t *testing.T, who *client, parentID string) (string, error) {
	body := th.body()
	vars := in("storyID", th.storyID, "body", body)
	what := "create by " + who.User.Username + " " + strconv.Quote(body)
	if parentID != "" {
		vars["in"].(map[string]any)["parentID"] = parentID
		what = "reply to " + parentID + " by " + who.User.Username + " " + strconv.Quote(body)
	}
	return what, th.mutate(t, who, createComment, vars)
}

// ban bans the author or the other commenter with their comments rejected, then lifts the
// ban so that they write again.
func (th *thread) ban(t *testing.T) (string, error) {
	who := []*client{th.author, th.other}[th.rnd.IntN(2)]
	var out struct {
		BanUser struct{ Sanctions []struct{ ID string } }
	}
	if err := th.mutateInto(t, th.mod, `mutation($in: BanInput!, $site: ID!) { banUser(input: $in) { sanctions(siteID: $site) { id } } }`,
		map[string]any{"in": map[string]any{"userID": who.User.ID, "siteID": th.site.ID, "rejectExistingComments": true}, "site": th.site.ID}, &out); err != nil {
		return "ban " + who.User.Username, err
	}
	for _, sn := range out.BanUser.Sanctions {
		th.mod.MustDo(t, `mutation($in: SanctionIDInput!) { revokeSanction(input: $in) { id } }`, in("sanctionID", sn.ID), nil)
	}
	return "ban " + who.User.Username + " with their comments rejected, then lift the ban", nil
}

func (th *thread) mutate(t *testing.T, c *client, query string, vars map[string]any) error {
	return th.mutateInto(t, c, query, vars, nil)
}

// mutateInto sends a mutation; a typed refusal (a conflict, an invalid target) is part of
// the sequence, but INTERNAL never is.
func (th *thread) mutateInto(t *testing.T, c *client, query string, vars map[string]any, out any) error {
	t.Helper()
	r := c.Do(t, query, vars)
	if len(r.Errors) == 0 {
		if out != nil {
			mustUnmarshal(t, r.Data, out)
		}
		return nil
	}
	if code := r.Code(); code == "" || code == "INTERNAL" {
		th.fail(t, "a step answered %s: %s", code, r.Raw)
	}
	return fmt.Errorf("%s %s", r.Code(), r.Errors[0].Message)
}

// by returns the client who wrote a comment, or nil for one of nobody in the cast.
func (th *thread) by(authorID string) *client {
	for _, c := range []*client{th.author, th.other, th.mod} {
		if c.User.ID == authorID {
			return c
		}
	}
	return nil
}

func (th *thread) name(authorID string) string {
	if c := th.by(authorID); c != nil {
		return c.User.Username
	}
	return "nobody"
}

// check reaches the thread as each reader and checks counts and rule.
func (th *thread) check(t *testing.T) {
	t.Helper()
	truth := storedThread(t, th.s, th.storyID)
	th.truth = truth
	order := []string{"NEWEST", "OLDEST", "MOST_REPLIES", "MOST_REACTIONS"}[th.rnd.IntN(4)]
	readers := []struct {
		name      string
		c         *client
		moderator bool
	}{{"an anonymous reader", th.s.anonymous(), false}, {"the author", th.author, false}, {"the moderator", th.mod, true}}
	for _, rd := range readers {
		viewerID := ""
		if rd.c.User != nil {
			viewerID = rd.c.User.ID
		}
		got, err := reach(t, rd.c, th.storyID, order, &th.stats.reads)
		if err == nil {
			err = got.countsAgree()
		}
		if err == nil {
			err = got.matchesRule(truth, viewerID, rd.moderator)
		}
		if err == nil && viewerID == "" {
			err = th.checkAnonymousAgain(t, got, order)
		}
		if err != nil {
			th.fail(t, "%s, paging %s: %v", rd.name, order, err)
		}
	}
}

// checkAnonymousAgain reads the thread anonymously again, from the cache this time, and the
// counts a host page's links show (storyCounts, and the story by its URL).
func (th *thread) checkAnonymousAgain(t *testing.T, first *reached, order string) error {
	again, err := reach(t, th.s.anonymous(), th.storyID, order, &th.stats.reads)
	if err != nil {
		return fmt.Errorf("again: %w", err)
	}
	if err := first.same(again); err != nil {
		return fmt.Errorf("the cache answered otherwise than the server: %w", err)
	}
	var out struct {
		StoryCounts []struct{ CommentCount int }
		Story       struct{ CommentCount int }
	}
	if err := reachDo(t, th.s.anonymous(), `query($urls: [String!]!, $url: String) { storyCounts(urls: $urls) { commentCount } story(url: $url) { commentCount } }`,
		map[string]any{"urls": []string{th.storyURL}, "url": th.storyURL}, &out, &th.stats.reads); err != nil {
		return err
	}
	if len(out.StoryCounts) != 1 || out.StoryCounts[0].CommentCount != first.commentCount || out.Story.CommentCount != first.commentCount {
		return fmt.Errorf("storyCounts %+v and story(url:) %d; commentCount %d", out.StoryCounts, out.Story.CommentCount, first.commentCount)
	}
	return nil
}

func (th *thread) fail(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Fatalf("%s\nafter these steps:\n%s", fmt.Sprintf(format, args...), strings.Join(th.log, "\n"))
}

// propertySeed is the seed of a property test's random sequences: def, or the value of the
// environment variable env, which replays a run a failure named.
func propertySeed(t *testing.T, env string, def uint64) uint64 {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		return def
	}
	seed, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatalf("%s: %v", env, err)
	}
	return seed
}

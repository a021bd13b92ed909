package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/pagecache"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/server"
)

// The pages the overlay test reads: the widget's page of comments (fragments, inline replies,
// the authors' roles) and the page `make bench` reads.
const (
	overlayWidgetPage = `query Comments($storyID: ID!, $siteID: ID!, $order: CommentOrder, $after: String) {
  story(id: $storyID) {
    comments(first: 25, after: $after, orderBy: $order) {
      edges { node { ...C replies(first: 3) { ...P } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
fragment C on Comment {
  id body bodySource status rejectionReason depth replyCount featured createdAt editedAt version
  parent { id }
  author { id username role(siteID: $siteID) }
  reactions { kind count viewerReacted }
}
fragment P on CommentConnection { edges { node { ...C } } pageInfo { hasNextPage endCursor } }`
	overlayRepliesPage = `query Replies($id: ID!, $siteID: ID!, $after: String) {
  comment(id: $id) { id replies(first: 10, after: $after) { ...P } }
}
fragment C on Comment {
  id body bodySource status rejectionReason depth replyCount featured createdAt editedAt version
  parent { id }
  author { id username role(siteID: $siteID) }
  reactions { kind count viewerReacted }
}
fragment P on CommentConnection { edges { node { ...C } } pageInfo { hasNextPage endCursor } }`
	overlayBenchPage = `query Page($storyID: ID!) { story(id: $storyID) { id title closed commentCount
  comments(first: 100, orderBy: NEWEST) { edges { cursor node { id body createdAt editedAt status depth replyCount
    author { id username } reactions { kind count viewerReacted } } } pageInfo { hasNextPage endCursor } } } }`
)

// TestOverlayMatchesExecutor runs random histories of a story (comments and replies the
// default pipeline publishes, holds or rejects, reactions given and taken back, deletions,
// moderators' decisions, mutes) and after each step reads the story's pages as every member
// of the cast and an anonymous reader twice: through the read cache, as `parley serve` does
// (a signed-in reader then gets the page cached for everyone with their overlay, when the
// overlay may answer), and uncached through the executor. The two answers must be equal
// field for field. Sequences are seeded: PARLEY_OVERLAY_SEED replays a run.
func TestOverlayMatchesExecutor(t *testing.T) {
	t.Parallel()
	const sequences, steps = 6, 30
	seed := propertySeed(t, "PARLEY_OVERLAY_SEED", 7)
	s := newServicesWithWordLists(shared.DB)
	cache := pagecache.New(8<<20, time.Hour) // only events make an answer stale here
	overlay := graph.NewOverlay(postgres.NewViewerStateService(s.DB))
	s.Server = httptest.NewServer(server.New(server.Config{
		Logger: slog.New(slog.NewJSONHandler(s.Logs, nil)), Auth: s.Services.Auth, Sites: s.Services.Sites,
		GraphQL: graph.NewHandler(s.Services, graph.Options{Logger: slog.New(slog.NewJSONHandler(s.Logs, nil)),
			AfterViewerMutation: overlay.Forget}),
		ReadCache: func(next http.Handler) http.Handler { return cache.MiddlewareWithOverlay(next, overlay) },
	}))
	defer s.Close()
	admin := s.MustAdmin(t)

	var total overlayStats
	for k := range sequences {
		t.Run(fmt.Sprintf("sequence %d of seed %d", k, seed), func(t *testing.T) {
			h := newOverlayHistory(t, s, admin, cache, rand.New(rand.NewPCG(seed, uint64(k))))
			for i := range steps {
				h.step(t, i)
			}
			total.reads += h.stats.reads
			total.overlaid += h.stats.overlaid
			total.reacted += h.stats.reacted
		})
	}
	t.Logf("%d reads compared; %d answered by the overlay, %d of them with the viewer's own reactions set",
		total.reads, total.overlaid, total.reacted)
	if total.overlaid == 0 || total.reacted == 0 {
		t.Error("the overlay answered no signed-in read, or none with a reaction: the comparison checked nothing of it")
	}
}

type overlayStats struct{ reads, overlaid, reacted int }

// overlayHistory is one sequence's world: a site holding links and one banned word, a story,
// four readers who comment and react, and a moderator.
type overlayHistory struct {
	s        *stack
	cache    *pagecache.Cache
	rnd      *rand.Rand
	site     site
	storyID  string
	readers  []*client
	mod      *client
	comments []string
	log      []string
	stats    overlayStats
}

func newOverlayHistory(t *testing.T, s *stack, admin *client, cache *pagecache.Cache, rnd *rand.Rand) *overlayHistory {
	h := &overlayHistory{s: s, cache: cache, rnd: rnd, site: s.MustCreateSite(t, admin), mod: s.MustSignUp(t)}
	for range 4 {
		h.readers = append(h.readers, s.MustSignUp(t))
	}
	admin.MustDo(t, `mutation($in: WordListInput!) { setWordList(input: $in) { kind } }`, in("siteID", h.site.ID, "kind", "BANNED", "terms", "idiot"), nil)
	admin.MustDo(t, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { id } }`, in("siteID", h.site.ID, "premodLinks", true), nil)
	s.MustGrant(t, h.site.ID, h.mod, parley.RoleModerator)
	h.storyID = s.MustStory(t, h.site)
	return h
}

var overlayKinds = []string{"respect", "insightful", "funny"}

// step does one random thing, makes its events reach the cache, and compares every reader's
// answers.
func (h *overlayHistory) step(t *testing.T, i int) {
	what := h.act(t)
	h.log = append(h.log, fmt.Sprintf("%d: %s", i, what))
	h.relay(t)
	viewers := append([]*client{h.s.anonymous(), h.mod}, h.readers...)
	for _, v := range viewers {
		for _, q := range []string{overlayWidgetPage, overlayBenchPage} {
			h.compare(t, v, q, map[string]any{"storyID": h.storyID, "siteID": h.site.ID})
		}
		if id, ok := h.pick(); ok {
			h.compare(t, v, overlayRepliesPage, map[string]any{"id": id, "siteID": h.site.ID})
		}
	}
}

func (h *overlayHistory) who() *client { return h.readers[h.rnd.IntN(len(h.readers))] }

func (h *overlayHistory) pick() (string, bool) {
	if len(h.comments) == 0 {
		return "", false
	}
	return h.comments[h.rnd.IntN(len(h.comments))], true
}

// act does one random thing to the story; refusals (a reaction on a hidden comment, say) are
// part of the history.
func (h *overlayHistory) act(t *testing.T) string {
	n := h.rnd.IntN(100)
	id, some := h.pick()
	switch {
	case n < 30 || !some:
		who, body := h.who(), h.body()
		vars := in("storyID", h.storyID, "body", body)
		parent := ""
		if some && h.rnd.IntN(2) == 0 {
			parent = id
			vars["in"].(map[string]any)["parentID"] = id
		}
		var out struct {
			CreateComment struct{ Comment struct{ ID string } }
		}
		r := who.Do(t, `mutation($in: CreateCommentInput!) { createComment(input: $in) { comment { id } } }`, vars)
		h.refusedOK(t, r)
		if len(r.Errors) == 0 {
			mustUnmarshal(t, r.Data, &out)
			h.comments = append(h.comments, out.CreateComment.Comment.ID)
		}
		return fmt.Sprintf("%s posts %q under %q", who.User.Username, body, parent)
	case n < 60:
		who, kind := h.who(), overlayKinds[h.rnd.IntN(len(overlayKinds))]
		h.refusedOK(t, who.Do(t, `mutation($in: ReactionInput!) { addReaction(input: $in) { comment { id } } }`, in("commentID", id, "kind", kind)))
		return fmt.Sprintf("%s reacts %s to %s", who.User.Username, kind, id)
	case n < 68:
		who, kind := h.who(), overlayKinds[h.rnd.IntN(len(overlayKinds))]
		h.refusedOK(t, who.Do(t, `mutation($in: ReactionInput!) { removeReaction(input: $in) { comment { id } } }`, in("commentID", id, "kind", kind)))
		return fmt.Sprintf("%s takes back %s on %s", who.User.Username, kind, id)
	case n < 76:
		who := h.who()
		h.refusedOK(t, who.Do(t, deleteComment, in("commentID", id)))
		return fmt.Sprintf("%s deletes %s", who.User.Username, id)
	case n < 84:
		h.refusedOK(t, h.mod.Do(t, approveComment, in("commentID", id)))
		return "the moderator approves " + id
	case n < 92:
		h.refusedOK(t, h.mod.Do(t, rejectComment, in("commentID", id, "reason", "SPAM")))
		return "the moderator rejects " + id
	default:
		who, whom := h.who(), h.who()
		h.refusedOK(t, who.Do(t, `mutation($in: MuteInput!) { muteUser(input: $in) { id } }`, in("userID", whom.User.ID)))
		return fmt.Sprintf("%s mutes %s", who.User.Username, whom.User.Username)
	}
}

func (h *overlayHistory) body() string {
	switch n := h.rnd.IntN(10); {
	case n < 6:
		return "A calm and kind comment " + unique("c")
	case n < 8:
		return "See https://example.org/" + unique("link")
	}
	return "You idiot " + unique("c")
}

// refusedOK accepts a typed refusal; INTERNAL is never part of a history.
func (h *overlayHistory) refusedOK(t *testing.T, r *response) {
	t.Helper()
	if len(r.Errors) > 0 && (r.Code() == "" || r.Code() == "INTERNAL") {
		t.Fatalf("a step answered %s: %s\nhistory:\n%s", r.Code(), r.Raw, strings.Join(h.log, "\n"))
	}
}

// relay does what the outbox relay and the event feed do for `parley serve`.
func (h *overlayHistory) relay(t *testing.T) {
	t.Helper()
	rows, err := postgrestest.Pool(t, h.s.DB).Query(context.Background(), `
		UPDATE outbox SET published_at = now() WHERE published_at IS NULL AND site_id = $1
		RETURNING coalesce(story_id::text, ''), site_id::text`, h.site.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var story, siteID string
		if err := rows.Scan(&story, &siteID); err != nil {
			t.Fatal(err)
		}
		h.cache.Invalidate(story)
		h.cache.Invalidate(siteID)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// compare reads query as v through the cache and uncached, and fails on any difference in
// the data or the errors' codes.
func (h *overlayHistory) compare(t *testing.T, v *client, query string, vars map[string]any) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	cached := v.Send(t, http.MethodPost, "application/json", body, nil)
	uncached := v.Send(t, http.MethodPost, "application/json", body, http.Header{"Cache-Control": {"no-cache"}})
	h.stats.reads++
	who := "anonymous"
	if v.User != nil {
		who = v.User.Username
	}
	if cached.Code() != uncached.Code() || (cached.Code() != "" && cached.Code() != "NOT_FOUND") {
		t.Fatalf("%s's read answered %q through the cache and %q uncached: %s / %s", who, cached.Code(), uncached.Code(), cached.Raw, uncached.Raw)
	}
	var a, b any
	mustUnmarshal(t, cached.Data, &a)
	mustUnmarshal(t, uncached.Data, &b)
	if diff := cmp.Diff(b, a); diff != "" {
		t.Fatalf("%s's page through the cache (X-Cache %s) differs from the executor's (-executor +cache):\n%s\nhistory:\n%s",
			who, cached.Header.Get("X-Cache"), diff, strings.Join(h.log, "\n"))
	}
	// A second read through the cache is answered with what the overlay kept of the viewer
	// with the answer (no lookup): it must still be the executor's answer.
	again := v.Send(t, http.MethodPost, "application/json", body, nil)
	var c any
	mustUnmarshal(t, again.Data, &c)
	if diff := cmp.Diff(b, c); diff != "" || again.Code() != cached.Code() {
		t.Fatalf("%s's second page through the cache (X-Cache %s) differs from the executor's (-executor +cache):\n%s\nhistory:\n%s",
			who, again.Header.Get("X-Cache"), diff, strings.Join(h.log, "\n"))
	}
	if strings.HasPrefix(cached.Header.Get("X-Cache"), "overlay") {
		h.stats.overlaid++
		if strings.Contains(string(cached.Data), `"viewerReacted":true`) {
			h.stats.reacted++
		}
	}
}

package graph_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
)

const moderationLog = `query($site: ID!, $first: Int, $after: String) {
	moderationLog(siteID: $site, first: $first, after: $after) {
		edges { cursor node { kind at decidedBy day action reason count sanction expiresAt fromLevel toLevel unpinned username moderator rule state votesFor votesAgainst summary } }
		pageInfo { hasNextPage endCursor }
	}
}`

type logEntry struct {
	Kind, At               string
	DecidedBy              *string
	Day, Action, Reason    *string
	Count                  *int
	Sanction, ExpiresAt    *string
	FromLevel, ToLevel     *int
	Unpinned               *bool
	Username, Moderator    *string
	Rule, State, Summary   *string
	VotesFor, VotesAgainst *int
}

type logConn struct {
	ModerationLog struct {
		Edges []struct {
			Cursor string
			Node   logEntry
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
}

// logWorld is a site whose log holds two rejections for one reason and one for another, an
// approval, a ban, a pin and a rule enactment; its reporter and its rejected body must never
// show.
type logWorld struct {
	*world
	Banned   *client
	Reporter *client
}

const secretBody = "a rejected body nobody may read in the log"

func (s *stack) MustLogWorld(tb testing.TB) *logWorld {
	tb.Helper()
	w := &logWorld{world: s.MustWorld(tb), Banned: s.MustSignUp(tb), Reporter: s.MustSignUp(tb)}
	mod := w.Moderator
	reject := `mutation($in: ModerateInput!) { rejectComment(input: $in) { comment { id } } }`
	for _, reason := range []string{"SPAM", "SPAM", "OFF_TOPIC"} {
		id := w.Author.MustComment(tb, w.StoryID, "", secretBody)
		mod.MustDo(tb, reject, in("commentID", id, "reason", reason), nil)
	}
	reported := w.Author.MustComment(tb, w.StoryID, "", "Reported, then approved.")
	w.Reporter.MustDo(tb, reportComment, in("commentID", reported, "reason", "SPAM"), nil)
	mod.MustDo(tb, `mutation($in: ModerateInput!) { approveComment(input: $in) { comment { id } } }`, in("commentID", reported), nil)
	mod.MustDo(tb, `mutation($in: BanInput!) { banUser(input: $in) { id } }`, in("userID", w.Banned.User.ID, "siteID", w.Site.ID), nil)
	mod.MustDo(tb, `mutation($in: PinTrustLevelInput!) { pinTrustLevel(input: $in) { level } }`,
		in("siteID", w.Site.ID, "userID", w.Other.User.ID, "level", 3, "reason", "a private note on why"), nil)
	mod.MustDo(tb, `mutation($in: PinTrustLevelInput!) { pinTrustLevel(input: $in) { level } }`,
		in("siteID", w.Site.ID, "userID", w.Other.User.ID, "level", nil), nil)
	err := postgres.NewModerationLogStore(s.DB).AppendModerationLog(context.Background(), w.Site.ID, parley.LogRuleEnacted,
		parley.RuleLogPayload{Rule: "no-shouting", State: "ENACTED", Version: 2, VotesFor: 3, VotesAgainst: 1, Summary: "Hold comments in capitals."})
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

func (w *logWorld) setLog(tb testing.TB, usernames, moderators bool) {
	tb.Helper()
	w.Admin.MustDo(tb, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"siteID": w.Site.ID, "publicLog": map[string]any{"showUsernames": usernames, "showModerators": moderators}}}, nil)
}

func TestModerationLog(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustLogWorld(t)
	anon := s.anonymous()
	read := func(t *testing.T, first int, after string) logConn {
		t.Helper()
		vars := map[string]any{"site": w.Site.ID, "first": first}
		if after != "" {
			vars["after"] = after
		}
		var out logConn
		anon.MustDo(t, moderationLog, vars, &out)
		return out
	}
	all := func(t *testing.T) []logEntry {
		var out []logEntry
		for _, e := range read(t, 100, "").ModerationLog.Edges {
			out = append(out, e.Node)
		}
		return out
	}
	find := func(entries []logEntry, kind string) []logEntry {
		var out []logEntry
		for _, e := range entries {
			if e.Kind == kind {
				out = append(out, e)
			}
		}
		return out
	}

	t.Run("anyone reads decisions counted per day and reason", func(t *testing.T) {
		got := map[string]int{}
		for _, e := range find(all(t), "DECISIONS") {
			got[*e.DecidedBy+" "+*e.Action+" "+*e.Reason] = *e.Count
		}
		if got["MODERATORS REJECT SPAM"] != 2 || got["MODERATORS REJECT OFF_TOPIC"] != 1 || got["MODERATORS APPROVE "] != 1 || len(got) != 3 {
			t.Errorf("decisions = %v, want 2 SPAM and 1 OFF_TOPIC rejections and 1 approval", got)
		}
	})
	t.Run("by default no user and no moderator is named", func(t *testing.T) {
		entries := all(t)
		bans, pins := find(entries, "SANCTION"), find(entries, "LEVEL_PIN")
		if len(bans) != 1 || *bans[0].Sanction != "BAN" || bans[0].Username != nil || bans[0].Moderator != nil {
			t.Errorf("sanctions = %+v", bans)
		}
		if len(pins) != 2 || !*pins[0].Unpinned || *pins[0].FromLevel != 3 || *pins[1].Unpinned || *pins[1].FromLevel != 0 || *pins[1].ToLevel != 3 ||
			pins[1].Username != nil || pins[1].Moderator != nil {
			t.Errorf("pins (newest first) = %+v, want the pin to 3 and then its lifting", pins)
		}
	})
	t.Run("rule enactments show their tally", func(t *testing.T) {
		rules := find(all(t), "RULE_ENACTED")
		if len(rules) != 1 || *rules[0].Rule != "no-shouting" || *rules[0].VotesFor != 3 || *rules[0].VotesAgainst != 1 {
			t.Errorf("rules = %+v", rules)
		}
	})
	t.Run("the reporter, the pin's note and rejected bodies never show", func(t *testing.T) {
		w.setLog(t, true, true)
		defer w.setLog(t, false, false)
		r := anon.Do(t, moderationLog, map[string]any{"site": w.Site.ID, "first": 100})
		for _, secret := range []string{w.Reporter.User.Username, secretBody, "a private note"} {
			if strings.Contains(r.Raw, secret) {
				t.Errorf("the log shows %q: %s", secret, r.Raw)
			}
		}
	})
	t.Run("a site that names people shows the user and the moderator", func(t *testing.T) {
		w.setLog(t, true, true)
		defer w.setLog(t, false, false)
		bans := find(all(t), "SANCTION")
		if len(bans) != 1 || bans[0].Username == nil || *bans[0].Username != w.Banned.User.Username ||
			bans[0].Moderator == nil || *bans[0].Moderator != w.Moderator.User.Username {
			t.Errorf("sanctions = %+v", bans)
		}
	})
	t.Run("pages of one follow each other without gaps or repeats", func(t *testing.T) {
		want := all(t)
		var got []logEntry
		after := ""
		for range 20 {
			page := read(t, 1, after)
			for _, e := range page.ModerationLog.Edges {
				got = append(got, e.Node)
			}
			if !page.ModerationLog.PageInfo.HasNextPage {
				break
			}
			after = *page.ModerationLog.PageInfo.EndCursor
		}
		if len(got) != len(want) || len(want) < 7 {
			t.Fatalf("paged %d entries, the whole log has %d (want at least 7)", len(got), len(want))
		}
		for i := range want {
			if got[i].Kind != want[i].Kind || got[i].At != want[i].At {
				t.Errorf("entry %d: paged %s at %s, whole %s at %s", i, got[i].Kind, got[i].At, want[i].Kind, want[i].At)
			}
		}
	})
	for _, tc := range []struct {
		name string
		vars map[string]any
		code string
	}{
		{"a page of 0 is invalid", map[string]any{"site": w.Site.ID, "first": 0}, "INVALID"},
		{"a page of 101 is invalid", map[string]any{"site": w.Site.ID, "first": 101}, "INVALID"},
		{"a negative page is invalid", map[string]any{"site": w.Site.ID, "first": -1}, "INVALID"},
		{"a forged cursor is invalid", map[string]any{"site": w.Site.ID, "after": "bm90IGEgY3Vyc29y"}, "INVALID"},
		{"a cursor that is not base64 is invalid", map[string]any{"site": w.Site.ID, "after": "%%%"}, "INVALID"},
		{"an unknown site is not found", map[string]any{"site": "00000000-0000-0000-0000-000000000000"}, "NOT_FOUND"},
		{"a site ID that is no ID is not found", map[string]any{"site": "nope"}, "NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			anon.MustFail(t, tc.code, moderationLog, tc.vars)
		})
	}
}

func TestModerationLogPage(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustLogWorld(t)
	w.Admin.MustDo(t, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"siteID": w.Site.ID, "name": `<script>alert("x")</script> & Co`}}, nil)
	get := func(t *testing.T, path string) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(s.Server.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, string(b)
	}
	t.Run("the page is HTML anyone may cache for a short while, with no script", func(t *testing.T) {
		res, body := get(t, "/log/"+w.Site.ID)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", res.StatusCode, body)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=60" {
			t.Errorf("Cache-Control = %q", cc)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("CSP = %q", csp)
		}
		for _, want := range []string{"2 × REJECT for SPAM", "A commenter was banned.", "pinned from level 0 to level 3", "was lifted", "Rule enacted no-shouting"} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("the site's name is not escaped:\n%s", body)
		}
	})
	t.Run("older entries are one link away, and the last page has none", func(t *testing.T) {
		seen := 0
		path := "/log/" + w.Site.ID + "?first=2"
		for range 10 {
			_, body := get(t, path)
			seen += strings.Count(body, "<li>")
			i := strings.Index(body, `<a href="`)
			if i < 0 {
				break
			}
			rest := body[i+len(`<a href="`):]
			path = strings.ReplaceAll(rest[:strings.Index(rest, `"`)], "&amp;", "&")
		}
		if seen != 7 {
			t.Errorf("saw %d entries over the pages, want 7", seen)
		}
	})
	for _, tc := range []struct {
		name, path string
		status     int
	}{
		{"an unknown site is 404", "/log/00000000-0000-0000-0000-000000000000", http.StatusNotFound},
		{"a site ID that is no ID is 404", "/log/nope", http.StatusNotFound},
		{"a forged cursor is 400", "/log/" + w.Site.ID + "?after=bm9wZQ", http.StatusBadRequest},
		{"a page size of 1000 is 400", "/log/" + w.Site.ID + "?first=1000", http.StatusBadRequest},
		{"a page size that is no number is 400", "/log/" + w.Site.ID + "?first=ten", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := get(t, tc.path)
			if res.StatusCode != tc.status || res.Header.Get("Cache-Control") != "no-store" || !strings.Contains(body, `role="alert"`) {
				t.Errorf("status %d, Cache-Control %q: %s", res.StatusCode, res.Header.Get("Cache-Control"), body)
			}
		})
	}
}

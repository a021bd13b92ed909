package graph_test

import (
	"testing"

	"github.com/parleyhq/parley/graph"
)

func TestWordLists(t *testing.T) {
	t.Parallel()
	s := newServicesWithWordLists(shared.DB)
	s.serve(graph.Options{})
	defer s.Close()
	admin := s.MustAdmin(t)
	st := s.MustCreateSite(t, admin)
	story := s.MustStory(t, st)
	author := s.MustSignUp(t)
	const set = `mutation($in: WordListInput!) { setWordList(input: $in) { kind termCount version } }`
	var out struct{ SetWordList struct{ TermCount int } }
	admin.MustDo(t, set, in("siteID", st.ID, "kind", "BANNED", "terms", "# insults\nidiot\n\nmoron*\nidiot\n"), &out)
	if out.SetWordList.TermCount != 2 {
		t.Fatalf("termCount = %d, want 2 (duplicates merged, comments and blank lines skipped)", out.SetWordList.TermCount)
	}
	admin.MustDo(t, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { id } }`, in("siteID", st.ID, "holdSuspectWords", true), nil)
	admin.MustDo(t, set, in("siteID", st.ID, "kind", "SUSPECT", "terms", "refund"), nil)

	for name, tc := range map[string]struct{ body, status string }{
		"a plain banned word is rejected":    {"you idiot", "REJECTED"},
		"a Cyrillic look-alike is rejected":  {"you \u0456d\u0456ot", "REJECTED"},
		"a zero-width split is rejected":     {"you id\u200biot", "REJECTED"},
		"a prefix term matches longer words": {"what moronic reasoning", "REJECTED"},
		"a suspect word is held":             {"I want a refund now", "PENDING"},
		"a word containing a term passes":    {"idiotypic is a biology word", "PUBLISHED"},
	} {
		t.Run(name, func(t *testing.T) {
			var c struct {
				CreateComment struct{ Comment struct{ Status string } }
			}
			author.MustDo(t, createComment, in("storyID", story, "body", tc.body), &c)
			if got := c.CreateComment.Comment.Status; got != tc.status {
				t.Fatalf("%q: status %s, want %s", tc.body, got, tc.status)
			}
		})
	}
	// Invalid UTF-8 cannot arrive through the API (the server refuses such bodies); the
	// wordlist package's own tests cover it. A term that normalises to nothing can.
	t.Run("a list with a term of nothing but invisible characters is refused with its line", func(t *testing.T) {
		r := admin.MustFail(t, "INVALID", set, in("siteID", st.ID, "kind", "BANNED", "terms", "fine\n\u200b\u00ad\n"))
		if !contains(string(r.Raw), "2") {
			t.Fatalf("answer does not name the line: %s", r.Raw)
		}
	})
	t.Run("lists are for the site's moderators", func(t *testing.T) {
		author.MustFail(t, "FORBIDDEN", set, in("siteID", st.ID, "kind", "BANNED", "terms", "x"))
		var site struct {
			Site struct{ WordLists []struct{ Kind string } }
		}
		admin.MustDo(t, `query($id: ID!) { site(id: $id) { wordLists { kind } } }`, map[string]any{"id": st.ID}, &site)
		if len(site.Site.WordLists) != 2 {
			t.Fatalf("wordLists = %+v", site.Site.WordLists)
		}
	})
}

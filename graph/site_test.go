package graph_test

import (
	"slices"
	"testing"
	"time"
)

type siteJSON struct {
	ID             string
	Name           string
	AllowedOrigins []string
	SSOConfigured  bool
	CreatedAt      time.Time
	Settings       struct {
		MinCommentLength, MaxCommentLength, EditWindowSeconds, MaxDepth int
		ReactionKinds                                                   []struct{ Kind, Label, Icon string }
	}
}

const siteFields = `id name allowedOrigins ssoConfigured createdAt
	settings { minCommentLength maxCommentLength editWindowSeconds maxDepth reactionKinds { kind label icon } }`

func TestCreateSite(t *testing.T) {
	t.Parallel()
	s := shared
	admin := s.MustAdmin(t)
	const q = `mutation($in: CreateSiteInput!) { createSite(input: $in) { ` + siteFields + ` } }`

	t.Run("creates a site with default settings", func(t *testing.T) {
		var out struct{ CreateSite siteJSON }
		admin.MustDo(t, q, map[string]any{"in": map[string]any{"name": " Daily Planet ",
			"allowedOrigins": []string{"HTTPS://Planet.example.org:443", "https://planet.example.org"}}}, &out)
		got := out.CreateSite
		if got.ID == "" || got.Name != "Daily Planet" || !slices.Equal(got.AllowedOrigins, []string{"https://planet.example.org"}) || got.SSOConfigured {
			t.Errorf("site = %+v", got)
		}
		if got.Settings.MaxDepth < 1 || len(got.Settings.ReactionKinds) == 0 || got.CreatedAt.IsZero() {
			t.Errorf("settings = %+v", got.Settings)
		}
		var read struct{ Site siteJSON }
		s.anonymous().MustDo(t, `query($id: ID!) { site(id: $id) { `+siteFields+` } }`, map[string]any{"id": got.ID}, &read)
		if read.Site.ID != got.ID || read.Site.Name != got.Name {
			t.Errorf("site(id) = %+v", read.Site)
		}
	})
	t.Run("origin with a path is invalid", func(t *testing.T) {
		r := admin.MustFail(t, "INVALID", q, map[string]any{"in": map[string]any{"name": "x", "allowedOrigins": []string{"https://a.example.org/news"}}})
		if r.Errors[0].Extensions["field"] != "allowedOrigins" {
			t.Errorf("extensions = %v", r.Errors[0].Extensions)
		}
	})
	t.Run("empty name is invalid", func(t *testing.T) {
		admin.MustFail(t, "INVALID", q, map[string]any{"in": map[string]any{"name": "", "allowedOrigins": []string{"https://a.example.org"}}})
	})
	t.Run("unknown site is not found", func(t *testing.T) {
		s.anonymous().MustFail(t, "NOT_FOUND", `{ site(id: "0190a4e2-0000-7000-8000-000000000000") { id } }`, nil)
		s.anonymous().MustFail(t, "NOT_FOUND", `{ site(id: "nope") { id } }`, nil)
	})
}

func TestSites(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	const q = `{ sites { id name } }`
	ids := func(c *client) []string {
		var out struct{ Sites []struct{ ID string } }
		c.MustDo(t, q, nil, &out)
		var ids []string
		for _, s := range out.Sites {
			ids = append(ids, s.ID)
		}
		return ids
	}
	t.Run("admins see every site", func(t *testing.T) {
		if got := ids(w.Admin); !slices.Contains(got, w.Site.ID) {
			t.Errorf("sites = %v, want %s among them", got, w.Site.ID)
		}
	})
	t.Run("moderators see their sites", func(t *testing.T) {
		if got := ids(w.Moderator); !slices.Equal(got, []string{w.Site.ID}) {
			t.Errorf("sites = %v, want [%s]", got, w.Site.ID)
		}
	})
	t.Run("anonymous is unauthenticated", func(t *testing.T) {
		s.anonymous().MustFail(t, "UNAUTHENTICATED", q, nil)
	})
}

func TestUpdateSiteSettings(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	const q = `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { ` + siteFields + ` } }`

	t.Run("changes only what is given", func(t *testing.T) {
		var out struct{ UpdateSiteSettings siteJSON }
		w.Moderator.MustDo(t, q, map[string]any{"in": map[string]any{"siteID": w.Site.ID, "maxCommentLength": 300, "maxDepth": 2,
			"reactionKinds": []map[string]any{{"kind": "wow", "label": "Wow", "icon": "😮"}},
			"ssoSecret":     "thirty-two bytes of secret, at least"}}, &out)
		got := out.UpdateSiteSettings
		if got.Settings.MaxCommentLength != 300 || got.Settings.MaxDepth != 2 || got.Settings.MinCommentLength != 1 {
			t.Errorf("settings = %+v", got.Settings)
		}
		if len(got.Settings.ReactionKinds) != 1 || got.Settings.ReactionKinds[0].Kind != "wow" || got.Settings.ReactionKinds[0].Icon != "😮" {
			t.Errorf("reactionKinds = %+v", got.Settings.ReactionKinds)
		}
		if !got.SSOConfigured || !slices.Equal(got.AllowedOrigins, []string{w.Site.Origin}) {
			t.Errorf("site = %+v", got)
		}
	})
	t.Run("out-of-range depth names the field", func(t *testing.T) {
		r := w.Admin.MustFail(t, "INVALID", q, map[string]any{"in": map[string]any{"siteID": w.Site.ID, "maxDepth": 99}})
		if r.Errors[0].Extensions["field"] != "maxDepth" {
			t.Errorf("extensions = %v", r.Errors[0].Extensions)
		}
	})
	t.Run("short SSO secret is invalid", func(t *testing.T) {
		w.Admin.MustFail(t, "INVALID", q, map[string]any{"in": map[string]any{"siteID": w.Site.ID, "ssoSecret": "short"}})
	})
	t.Run("unknown site is not found", func(t *testing.T) {
		w.Admin.MustFail(t, "NOT_FOUND", q, map[string]any{"in": map[string]any{"siteID": "0190a4e2-0000-7000-8000-000000000000", "name": "x"}})
	})
}

type storyJSON struct {
	ID           string
	URL          string
	Title        string
	Closed       bool
	CommentCount int
	CreatedAt    time.Time
	Site         struct{ ID string }
}

const storyFields = `id url title closed commentCount createdAt site { id }`

func TestStory(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)

	t.Run("by URL is created on first use", func(t *testing.T) {
		url := w.Site.Origin + "/2024/story?utm_source=x&b=2&a=1#comments"
		var first, again struct{ Story storyJSON }
		s.anonymous().MustDo(t, `query($u: String) { story(url: $u) { `+storyFields+` } }`, map[string]any{"u": url}, &first)
		s.anonymous().MustDo(t, `query($u: String) { story(url: $u) { `+storyFields+` } }`, map[string]any{"u": w.Site.Origin + "/2024/story?a=1&b=2"}, &again)
		if first.Story.ID == "" || first.Story.ID != again.Story.ID || first.Story.Site.ID != w.Site.ID {
			t.Errorf("stories = %+v, %+v", first.Story, again.Story)
		}
		if first.Story.URL != w.Site.Origin+"/2024/story?a=1&b=2" {
			t.Errorf("url = %q, want the canonical URL", first.Story.URL)
		}
	})
	t.Run("by ID counts published comments", func(t *testing.T) {
		var out struct{ Story storyJSON }
		s.anonymous().MustDo(t, `query($id: ID) { story(id: $id) { `+storyFields+` } }`, map[string]any{"id": w.StoryID}, &out)
		if out.Story.ID != w.StoryID || out.Story.CommentCount != 1 {
			t.Errorf("story = %+v", out.Story)
		}
	})
	t.Run("URL no site allows is not found", func(t *testing.T) {
		s.anonymous().MustFail(t, "NOT_FOUND", `{ story(url: "https://unknown.example.net/a") { id } }`, nil)
	})
	t.Run("neither id nor url is invalid", func(t *testing.T) {
		s.anonymous().MustFail(t, "INVALID", `{ story { id } }`, nil)
	})
	t.Run("updateStory changes title and closes", func(t *testing.T) {
		storyID := s.MustStory(t, w.Site)
		var out struct{ UpdateStory storyJSON }
		w.Moderator.MustDo(t, `mutation($in: UpdateStoryInput!) { updateStory(input: $in) { `+storyFields+` } }`,
			map[string]any{"in": map[string]any{"storyID": storyID, "title": " Breaking news ", "closed": true}}, &out)
		if out.UpdateStory.Title != "Breaking news" || !out.UpdateStory.Closed {
			t.Errorf("story = %+v", out.UpdateStory)
		}
		w.Moderator.MustDo(t, `mutation($in: UpdateStoryInput!) { updateStory(input: $in) { `+storyFields+` } }`,
			map[string]any{"in": map[string]any{"storyID": storyID, "closed": false}}, &out)
		if out.UpdateStory.Title != "Breaking news" || out.UpdateStory.Closed {
			t.Errorf("after reopening: story = %+v", out.UpdateStory)
		}
	})
	t.Run("updateStory with an overlong title is invalid", func(t *testing.T) {
		long := make([]rune, 301)
		for i := range long {
			long[i] = 'é'
		}
		w.Moderator.MustFail(t, "INVALID", `mutation($in: UpdateStoryInput!) { updateStory(input: $in) { id } }`,
			in("storyID", w.StoryID, "title", string(long)))
	})
	t.Run("updateStory of an unknown story is not found", func(t *testing.T) {
		w.Admin.MustFail(t, "NOT_FOUND", `mutation($in: UpdateStoryInput!) { updateStory(input: $in) { id } }`,
			in("storyID", "0190a4e2-0000-7000-8000-000000000000", "closed", true))
	})
}

func TestSetSiteRole(t *testing.T) {
	t.Parallel()
	s := shared
	admin := s.MustAdmin(t)
	st := s.MustCreateSite(t, admin)
	user := s.MustSignUp(t)
	grant := func(role string) map[string]any {
		v := in("siteID", st.ID, "userID", user.User.ID, "role", role)
		v["site"] = st.ID
		return v
	}
	query := `mutation($in: SetSiteRoleInput!, $site: ID!) { setSiteRole(input: $in) { id role(siteID: $site) } }`

	t.Run("an admin makes a moderator, who may then change the site", func(t *testing.T) {
		var out struct{ SetSiteRole struct{ Role string } }
		admin.MustDo(t, query, grant("MODERATOR"), &out)
		if out.SetSiteRole.Role != "MODERATOR" {
			t.Fatalf("role = %q", out.SetSiteRole.Role)
		}
		user.MustDo(t, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { id } }`, in("siteID", st.ID, "editWindowSeconds", 60), nil)
	})
	t.Run("ADMIN cannot be granted per site", func(t *testing.T) {
		admin.MustFail(t, "INVALID", query, grant("ADMIN"))
	})
	t.Run("an unknown user is not found", func(t *testing.T) {
		v := grant("MEMBER")
		v["in"].(map[string]any)["userID"] = "0190a0a0-0000-7000-8000-000000000000"
		admin.MustFail(t, "NOT_FOUND", query, v)
	})
}

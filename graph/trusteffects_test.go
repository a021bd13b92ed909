package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/ratelimit"
)

const commentStatus = `query($id: ID!) { comment(id: $id) { status } }`

func TestReportNeedsTrust(t *testing.T) {
	t.Parallel()
	s := shared
	admin := s.MustAdmin(t)
	st := s.MustCreateSite(t, admin)
	story := s.MustStory(t, st)
	author := s.MustSignUp(t)
	target := author.MustComment(t, story, "", "Something to report.")
	reader := s.MustSignUp(t)

	t.Run("a new reader's report is forbidden and says what opens reporting", func(t *testing.T) {
		r := reader.MustFail(t, "FORBIDDEN", reportComment, in("commentID", target, "reason", "SPAM"))
		if !strings.Contains(r.Errors[0].Message, "trust level 1") {
			t.Errorf("message = %q", r.Errors[0].Message)
		}
	})
	t.Run("after a first published comment earns level 1, the same reader may report", func(t *testing.T) {
		reader.MustComment(t, story, "", "My first words here.")
		s.MustConsumeSite(t, st.ID)
		reader.MustDo(t, reportComment, in("commentID", target, "reason", "SPAM"), nil)
		var out struct{ Comment struct{ Status string } }
		reader.MustDo(t, commentStatus, map[string]any{"id": target}, &out)
		if out.Comment.Status != "PUBLISHED" {
			t.Errorf("status = %s, want a level 1 report to hold nothing", out.Comment.Status)
		}
	})
	t.Run("a level 3 reader's report holds the comment at once", func(t *testing.T) {
		regular := s.MustSignUp(t)
		admin.MustDo(t, `mutation($in: PinTrustLevelInput!) { pinTrustLevel(input: $in) { level } }`,
			in("siteID", st.ID, "userID", regular.User.ID, "level", 3), nil)
		other := author.MustComment(t, story, "", "Another one to report.")
		regular.MustDo(t, reportComment, in("commentID", other, "reason", "ABUSIVE"), nil)
		var out struct{ Comment struct{ Status string } }
		author.MustDo(t, commentStatus, map[string]any{"id": other}, &out)
		if out.Comment.Status != "PENDING" {
			t.Errorf("status = %s, want PENDING", out.Comment.Status)
		}
	})
	t.Run("a site that lets new readers report takes their reports", func(t *testing.T) {
		admin.MustDo(t, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"siteID": st.ID, "trustEffects": map[string]any{"newMayReport": true}}}, nil)
		s.MustSignUp(t).MustDo(t, reportComment, in("commentID", target, "reason", "SPAM"), nil)
	})
}

func TestTrustEffectSettings(t *testing.T) {
	t.Parallel()
	s := shared
	admin := s.MustAdmin(t)
	st := s.MustCreateSite(t, admin)
	const update = `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) {
		settings { trustEffects { newCommenters newMayReport } publicLog { showUsernames showModerators } } } }`
	type settings struct {
		TrustEffects struct {
			NewCommenters string
			NewMayReport  bool
		}
		PublicLog struct{ ShowUsernames, ShowModerators bool }
	}
	t.Run("a new site treats new commenters like anyone and names no one in its log", func(t *testing.T) {
		var out struct{ Site struct{ Settings settings } }
		s.anonymous().MustDo(t, `query($id: ID!) { site(id: $id) { settings { trustEffects { newCommenters newMayReport } publicLog { showUsernames showModerators } } } }`,
			map[string]any{"id": st.ID}, &out)
		got := out.Site.Settings
		if got.TrustEffects.NewCommenters != "NONE" || got.TrustEffects.NewMayReport || got.PublicLog.ShowUsernames || got.PublicLog.ShowModerators {
			t.Errorf("defaults = %+v", got)
		}
	})
	t.Run("a moderator changes them and reads them back", func(t *testing.T) {
		var out struct{ UpdateSiteSettings struct{ Settings settings } }
		admin.MustDo(t, update, map[string]any{"in": map[string]any{"siteID": st.ID,
			"trustEffects": map[string]any{"newCommenters": "HOLD_LINKS", "newMayReport": true}}}, &out)
		got := out.UpdateSiteSettings.Settings.TrustEffects
		if got.NewCommenters != "HOLD_LINKS" || !got.NewMayReport {
			t.Errorf("trustEffects = %+v", got)
		}
	})
	t.Run("an unknown treatment is invalid", func(t *testing.T) {
		admin.MustFail(t, "INVALID", update, map[string]any{"in": map[string]any{"siteID": st.ID,
			"trustEffects": map[string]any{"newCommenters": "SOMETIMES"}}})
	})
	t.Run("a commenter may not change them", func(t *testing.T) {
		s.MustSignUp(t).MustFail(t, "FORBIDDEN", update, map[string]any{"in": map[string]any{"siteID": st.ID,
			"publicLog": map[string]any{"showUsernames": true}}})
	})
}

func TestTrustPrivileges(t *testing.T) {
	t.Parallel()
	s := shared
	admin := s.MustAdmin(t)
	st := s.MustCreateSite(t, admin)
	reader := s.MustSignUp(t)
	var out struct {
		TrustStanding struct {
			Privileges []struct {
				Name    string
				Level   int
				Allowed bool
			}
		}
	}
	reader.MustDo(t, `query($site: ID!) { trustStanding(siteID: $site) { privileges { name level allowed description } } }`,
		map[string]any{"site": st.ID}, &out)
	ps := out.TrustStanding.Privileges
	if len(ps) == 0 || ps[0].Name != "REPORT" || ps[0].Level != 1 || ps[0].Allowed {
		t.Errorf("a new reader's privileges = %+v, want REPORT at level 1 first, not allowed", ps)
	}
}

func TestNewAccountQuota(t *testing.T) {
	t.Parallel()
	s := newServices(shared.DB)
	s.serve(graph.Options{Limits: graph.MutationLimits{PerNewAccount: ratelimit.NewMemory(time.Hour, 2), Levels: postgres.NewTrustStore(shared.DB)}})
	defer s.Close()
	admin := s.MustAdmin(t)
	st := s.MustCreateSite(t, admin)
	story := s.MustStory(t, st)
	post := func(c *client) *response {
		return c.Do(t, createComment, in("storyID", story, "body", "Words."))
	}
	t.Run("a level 0 account has the smaller quota, and is told why", func(t *testing.T) {
		newcomer := s.MustSignUp(t)
		post(newcomer)
		post(newcomer)
		r := post(newcomer)
		if r.Code() != "RATE_LIMITED" || !strings.Contains(r.Errors[0].Message, "trust level 0") {
			t.Errorf("third change = %s", r.Raw)
		}
	})
	t.Run("an account at level 1 somewhere is not held to it", func(t *testing.T) {
		basic := s.MustSignUp(t)
		admin.MustDo(t, `mutation($in: PinTrustLevelInput!) { pinTrustLevel(input: $in) { level } }`,
			in("siteID", st.ID, "userID", basic.User.ID, "level", 1), nil)
		for range 3 {
			if r := post(basic); r.Code() != "" {
				t.Fatalf("answer = %s", r.Raw)
			}
		}
	})
	t.Run("an admin is never new", func(t *testing.T) {
		for range 3 {
			if r := post(admin); r.Code() != "" {
				t.Fatalf("answer = %s", r.Raw)
			}
		}
	})
}

package graph_test

import (
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/postgres"
)

// TestModerationThroughTheAPI serves the API with the default pipeline, as `parley serve`
// does, on the package's database.
func TestModerationThroughTheAPI(t *testing.T) {
	t.Parallel()
	s := newServices(shared.DB)
	pipeline := moderation.Default()
	s.Services.Comments = moderation.NewCommentService(postgres.NewCommentService(s.DB, markup.NewRenderer()), pipeline)
	s.Services.Moderator = pipeline
	s.serve(graph.Options{})
	defer s.Close()
	admin := s.MustAdmin(t)
	st := s.MustCreateSite(t, admin)
	var settings struct {
		UpdateSiteSettings struct {
			Settings struct {
				PremodLinks         bool
				ReportHoldThreshold int
			}
		}
	}
	admin.MustDo(t, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { settings { premodLinks reportHoldThreshold } } }`,
		in("siteID", st.ID, "premodLinks", true, "reportHoldThreshold", 3), &settings)
	if got := settings.UpdateSiteSettings.Settings; !got.PremodLinks || got.ReportHoldThreshold != 3 {
		t.Fatalf("settings = %+v", got)
	}
	story := s.MustStory(t, st)
	author, mod := s.MustSignUp(t), s.MustSignUp(t)
	s.MustGrant(t, st.ID, mod, parley.RoleModerator)

	var created struct {
		CreateComment struct{ Comment struct{ ID, Status string } }
	}
	author.MustDo(t, createComment, in("storyID", story, "body", "read https://example.org"), &created)
	c := created.CreateComment.Comment
	if c.Status != "PENDING" {
		t.Fatalf("status = %s, want PENDING", c.Status)
	}
	const trail = `query($id: ID!) { comment(id: $id) { status trail { action decision decidedBy
		stages { stage decision flags evidence durationMs error shadow } } } }`

	t.Run("a moderator reads why the comment was held", func(t *testing.T) {
		var out struct {
			Comment struct {
				Trail []struct {
					Action, Decision, DecidedBy string
					Stages                      []struct {
						Stage, Decision, Evidence string
						Flags                     []string
					}
				}
			}
		}
		mod.MustDo(t, trail, map[string]any{"id": c.ID}, &out)
		if len(out.Comment.Trail) != 1 {
			t.Fatalf("trail = %+v", out.Comment.Trail)
		}
		r := out.Comment.Trail[0]
		last := r.Stages[len(r.Stages)-1]
		if r.Action != "CREATE" || r.Decision != "HOLD" || r.DecidedBy != "premod_links" || last.Flags[0] != "LINKS" || last.Evidence == "" {
			t.Fatalf("record = %+v", r)
		}
	})
	t.Run("the author sees the pending comment but not the trail", func(t *testing.T) {
		r := author.Do(t, trail, map[string]any{"id": c.ID})
		if r.Code() != "FORBIDDEN" || !contains(string(r.Raw), `"status":"PENDING"`) {
			t.Fatalf("answer = %s", r.Raw)
		}
	})
	t.Run("a decision on a version someone else changed answers CONFLICT", func(t *testing.T) {
		var held struct {
			CreateComment struct {
				Comment struct {
					ID      string
					Version int
				}
			}
		}
		author.MustDo(t, `mutation($in: CreateCommentInput!) { createComment(input: $in) { comment { id version } } }`,
			in("storyID", story, "body", "judge me https://example.org/versions"), &held)
		h := held.CreateComment.Comment
		other := s.MustSignUp(t)
		s.MustGrant(t, st.ID, other, parley.RoleModerator)
		const approve = `mutation($in: ModerateInput!) { approveComment(input: $in) { comment { status version } } }`
		const reject = `mutation($in: ModerateInput!) { rejectComment(input: $in) { comment { status } } }`
		var first struct {
			ApproveComment struct {
				Comment struct {
					Status  string
					Version int
				}
			}
		}
		mod.MustDo(t, approve, in("commentID", h.ID, "version", h.Version), &first)
		if got := first.ApproveComment.Comment; got.Status != "PUBLISHED" || got.Version != h.Version+1 {
			t.Fatalf("approved = %+v, want PUBLISHED at version %d", got, h.Version+1)
		}
		other.MustFail(t, "CONFLICT", reject, in("commentID", h.ID, "reason", "SPAM", "version", h.Version))
		author.MustFail(t, "CONFLICT", `mutation($in: EditCommentInput!) { editComment(input: $in) { comment { id } } }`,
			in("commentID", h.ID, "body", "rewritten", "version", h.Version))
		var now struct{ Comment struct{ Status string } }
		mod.MustDo(t, `query($id: ID!) { comment(id: $id) { status } }`, map[string]any{"id": h.ID}, &now)
		if now.Comment.Status != "PUBLISHED" {
			t.Fatalf("status = %s after the refused decisions; the first decision must stand", now.Comment.Status)
		}
	})
	t.Run("a site's own pipeline applies at once, shadow stages without effect", func(t *testing.T) {
		var stages struct{ ModerationStages []string }
		admin.MustDo(t, `{ moderationStages }`, nil, &stages)
		if len(stages.ModerationStages) < 5 || stages.ModerationStages[0] != "staff" {
			t.Fatalf("moderationStages = %v", stages.ModerationStages)
		}
		var defaults struct {
			DefaultModerationPipeline []struct{ Stage string }
		}
		admin.MustDo(t, `{ defaultModerationPipeline { stage shadow failClosed budgetMs } }`, nil, &defaults)
		if len(defaults.DefaultModerationPipeline) == 0 || len(defaults.DefaultModerationPipeline) > len(stages.ModerationStages) {
			t.Fatalf("defaultModerationPipeline = %+v", defaults.DefaultModerationPipeline)
		}
		for i, st := range defaults.DefaultModerationPipeline {
			if st.Stage != stages.ModerationStages[i] {
				t.Errorf("default stage %d is %q; moderationStages lists the built-in order first: %v", i, st.Stage, stages.ModerationStages)
			}
		}
		admin.MustDo(t, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { settings { stages { stage shadow } } } }`,
			in("siteID", st.ID, "stages", []map[string]any{{"stage": "premod_links", "shadow": true}}), nil)
		var out struct {
			CreateComment struct{ Comment struct{ ID, Status string } }
		}
		author.MustDo(t, createComment, in("storyID", story, "body", "again https://example.org/shadow"), &out)
		if out.CreateComment.Comment.Status != "PUBLISHED" {
			t.Fatalf("status = %s; a shadow stage must not hold", out.CreateComment.Comment.Status)
		}
		var tr struct {
			Comment struct {
				Trail []struct {
					Stages []struct {
						Stage, Decision string
						Shadow          bool
					}
				}
			}
		}
		mod.MustDo(t, trail, map[string]any{"id": out.CreateComment.Comment.ID}, &tr)
		st0 := tr.Comment.Trail[0].Stages[0]
		if st0.Stage != "premod_links" || st0.Decision != "HOLD" || !st0.Shadow {
			t.Fatalf("trail = %+v", tr.Comment.Trail)
		}
	})
	t.Run("stage statistics are for moderators", func(t *testing.T) {
		var out struct {
			StageStats []struct {
				Stage     string
				Decided   int
				Precision *float64
			}
		}
		mod.MustDo(t, `query($site: ID!) { stageStats(siteID: $site) { stage decided precision recall } }`, map[string]any{"site": st.ID}, &out)
		author.MustFail(t, "FORBIDDEN", `query($site: ID!) { stageStats(siteID: $site) { stage } }`, map[string]any{"site": st.ID})
	})
	t.Run("a rule's statistics say it cannot be wrong", func(t *testing.T) {
		// premod_links still runs in shadow mode (above): it flags this comment, a
		// moderator then rejects it, and premod_links has a decided comment.
		var out struct {
			CreateComment struct{ Comment struct{ ID string } }
		}
		author.MustDo(t, createComment, in("storyID", story, "body", "and https://example.org/rule"), &out)
		mod.MustDo(t, `mutation($in: ModerateInput!) { rejectComment(input: $in) { comment { id } } }`,
			in("commentID", out.CreateComment.Comment.ID, "reason", "SPAM"), nil)
		var stats struct {
			StageStats []struct {
				Stage      string
				Decided    int
				CanBeWrong bool
			}
		}
		mod.MustDo(t, `query($site: ID!) { stageStats(siteID: $site) { stage decided canBeWrong } }`, map[string]any{"site": st.ID}, &stats)
		// Every stage that decided here is a built-in rule (earlier subtests decided others).
		flagged := false
		for _, st := range stats.StageStats {
			flagged = flagged || (st.Stage == "premod_links" && st.Decided >= 1)
			if st.CanBeWrong {
				t.Errorf("stage %s can be wrong; it is a rule", st.Stage)
			}
		}
		if !flagged {
			t.Fatalf("stageStats = %+v, want premod_links with a decided comment", stats.StageStats)
		}
	})
	t.Run("an unknown stage name is invalid", func(t *testing.T) {
		admin.MustFail(t, "INVALID", `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { id } }`,
			in("siteID", st.ID, "stages", []map[string]any{{"stage": "Not A Stage!"}}))
	})
	t.Run("others do not see the pending comment", func(t *testing.T) {
		r := s.MustSignUp(t).Do(t, trail, map[string]any{"id": c.ID})
		if !contains(string(r.Raw), `"comment":null`) {
			t.Fatalf("answer = %s", r.Raw)
		}
	})
}

func TestModerationQueueAPI(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	const queue = `query($q: ModerationQueue!, $site: ID, $first: Int, $after: String) {
		moderationQueue(queue: $q, siteID: $site, first: $first, after: $after) {
			edges { cursor node { id status featured author { username } } } pageInfo { hasNextPage endCursor } }
		moderationQueueCounts(siteID: $site) { pending reported unmoderated approved rejected } }`
	var ids []string
	for range 3 {
		ids = append(ids, w.Author.MustComment(t, w.StoryID, "", "to moderate"))
	}
	type page struct {
		ModerationQueue struct {
			Edges []struct {
				Cursor string
				Node   struct {
					ID, Status string
					Featured   bool
				}
			}
			PageInfo struct {
				HasNextPage bool
				EndCursor   string
			}
		}
		ModerationQueueCounts struct{ Pending, Reported, Unmoderated, Approved, Rejected int }
	}
	read := func(q string, first int, after string) page {
		var out page
		vars := map[string]any{"q": q, "site": w.Site.ID, "first": first}
		if after != "" {
			vars["after"] = after
		}
		w.Moderator.MustDo(t, queue, vars, &out)
		return out
	}

	t.Run("new comments are unmoderated, newest first, page by page", func(t *testing.T) {
		first := read("UNMODERATED", 2, "")
		if len(first.ModerationQueue.Edges) != 2 || !first.ModerationQueue.PageInfo.HasNextPage || first.ModerationQueue.Edges[0].Node.ID != ids[2] {
			t.Fatalf("first page = %+v", first.ModerationQueue)
		}
		next := read("UNMODERATED", 2, first.ModerationQueue.PageInfo.EndCursor)
		if len(next.ModerationQueue.Edges) == 0 || next.ModerationQueue.Edges[0].Node.ID != ids[0] {
			t.Fatalf("second page = %+v", next.ModerationQueue)
		}
		if first.ModerationQueueCounts.Unmoderated < 3 {
			t.Fatalf("counts = %+v", first.ModerationQueueCounts)
		}
	})
	t.Run("a rejected comment moves to REJECTED", func(t *testing.T) {
		w.Moderator.MustDo(t, `mutation($in: ModerateInput!) { rejectComment(input: $in) { comment { status } } }`,
			in("commentID", ids[1], "reason", "ABUSIVE"), nil)
		got := read("REJECTED", 10, "")
		if len(got.ModerationQueue.Edges) != 1 || got.ModerationQueue.Edges[0].Node.ID != ids[1] || got.ModerationQueueCounts.Rejected != 1 {
			t.Fatalf("rejected queue = %+v", got)
		}
	})
	t.Run("rejecting without a reason is invalid", func(t *testing.T) {
		w.Moderator.MustFail(t, "INVALID", `mutation($in: ModerateInput!) { rejectComment(input: $in) { comment { status } } }`, in("commentID", ids[0]))
	})
	t.Run("a moderator of another site may not read the queue", func(t *testing.T) {
		w.ModElsewhere.MustFail(t, "FORBIDDEN", queue, map[string]any{"q": "PENDING", "site": w.Site.ID})
	})
	t.Run("a reported comment shows its reports to moderators only", func(t *testing.T) {
		w.Other.MustDo(t, reportComment, in("commentID", ids[2], "reason", "OTHER", "details", "Copied from another site."), nil)
		const q = `query($id: ID!) { comment(id: $id) { reports { reason details weight weightRule reporter { username } } } }`
		var out struct {
			Comment struct {
				Reports []struct {
					Reason, Details, WeightRule string
					Weight                      float64
					Reporter                    struct{ Username string }
				}
			}
		}
		w.Moderator.MustDo(t, q, map[string]any{"id": ids[2]}, &out)
		if len(out.Comment.Reports) != 1 || out.Comment.Reports[0].Details != "Copied from another site." || out.Comment.Reports[0].Reporter.Username != w.Other.User.Username ||
			out.Comment.Reports[0].Weight != 1 || out.Comment.Reports[0].WeightRule != "" {
			t.Fatalf("reports = %+v", out.Comment.Reports)
		}
		got := read("REPORTED", 10, "")
		if len(got.ModerationQueue.Edges) != 1 || got.ModerationQueueCounts.Reported != 1 {
			t.Fatalf("reported queue = %+v", got)
		}
		w.Other.MustFail(t, "FORBIDDEN", q, map[string]any{"id": ids[2]})
	})
	t.Run("a queue needs a site or a story", func(t *testing.T) {
		w.Moderator.MustFail(t, "INVALID", `{ moderationQueue(queue: PENDING) { edges { cursor } } }`, nil)
	})
}

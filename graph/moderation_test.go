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
	s.Services.Comments = postgres.NewCommentService(s.DB, markup.NewRenderer()).WithModerator(moderation.Default())
	s.serve(graph.Options{})
	defer s.Close()
	admin := s.MustAdmin(t)
	st := s.MustCreateSite(t, admin)
	admin.MustDo(t, `mutation($in: SiteSettingsInput!) { updateSiteSettings(input: $in) { settings { premodLinks premodNewCommenters } } }`,
		in("siteID", st.ID, "premodLinks", true), nil)
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
	t.Run("others do not see the pending comment", func(t *testing.T) {
		r := s.MustSignUp(t).Do(t, trail, map[string]any{"id": c.ID})
		if !contains(string(r.Raw), `"comment":null`) {
			t.Fatalf("answer = %s", r.Raw)
		}
	})
}

package moderation_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation"
)

func TestVerifiedEmail(t *testing.T) {
	verified := map[string]bool{"v": true}
	stage := moderation.VerifiedEmail(func(_ context.Context, id string) (bool, error) { return verified[id], nil })
	on := parley.SiteSettings{RequireVerifiedEmail: true}
	for _, tc := range []struct {
		name     string
		settings parley.SiteSettings
		author   *parley.User
		action   parley.SubmissionAction
		history  parley.AuthorHistory
		want     parley.Decision
	}{
		{"an unverified author's first comment is held", on, &parley.User{ID: "u"}, parley.ActionCreate, parley.AuthorHistory{}, parley.DecisionHold},
		{"a verified author's first comment passes", on, &parley.User{ID: "v"}, parley.ActionCreate, parley.AuthorHistory{}, parley.DecisionPass},
		{"an author with a published comment passes", on, &parley.User{ID: "u"}, parley.ActionCreate, parley.AuthorHistory{Published: 1}, parley.DecisionPass},
		{"a single sign-on account passes", on, &parley.User{ID: "u", SSOSiteID: "s"}, parley.ActionCreate, parley.AuthorHistory{}, parley.DecisionPass},
		{"a site that does not ask passes everyone", parley.SiteSettings{}, &parley.User{ID: "u"}, parley.ActionCreate, parley.AuthorHistory{}, parley.DecisionPass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := stage.Check(context.Background(), &parley.Submission{Action: tc.action, Settings: tc.settings, Author: tc.author, History: tc.history})
			if err != nil || v.Decision != tc.want {
				t.Errorf("got %v, %v; want %v", v.Decision, err, tc.want)
			}
		})
	}
}

func TestVerifiedEmailOnEditsAndGuests(t *testing.T) {
	stage := moderation.VerifiedEmail(func(context.Context, string) (bool, error) { return false, nil })
	on := parley.SiteSettings{RequireVerifiedEmail: true}
	for _, tc := range []struct {
		name     string
		author   *parley.User
		previous *parley.Comment
		action   parley.SubmissionAction
		want     parley.Decision
	}{
		{"an edit of a comment still held is held again", &parley.User{ID: "u"}, &parley.Comment{Status: parley.StatusPending}, parley.ActionEdit, parley.DecisionHold},
		{"an edit of a published comment passes", &parley.User{ID: "u"}, &parley.Comment{Status: parley.StatusPublished}, parley.ActionEdit, parley.DecisionPass},
		{"a guest passes, to be held as a guest", &parley.User{ID: "g", Guest: true}, nil, parley.ActionCreate, parley.DecisionPass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := stage.Check(context.Background(), &parley.Submission{Action: tc.action, Settings: on, Author: tc.author, Previous: tc.previous})
			if err != nil || v.Decision != tc.want {
				t.Errorf("got %v, %v; want %v", v.Decision, err, tc.want)
			}
		})
	}
}

// TestVerifiedEmailDefers checks that the verified-email hold yields to any other stage's
// hold or rejection, whatever the order, so that a comment it decided is held for that
// reason alone.
func TestVerifiedEmailDefers(t *testing.T) {
	unverified := moderation.Step{Stage: moderation.VerifiedEmail(func(context.Context, string) (bool, error) { return false, nil })}
	step := func(name string, d parley.Decision) moderation.Step {
		return moderation.Step{Stage: fixed{name: name, v: verdict(d)}}
	}
	for _, tc := range []struct {
		name      string
		after     moderation.Step
		want      parley.Decision
		decidedBy string
	}{
		{"a later hold decides", step("premod", parley.DecisionHold), parley.DecisionHold, "premod"},
		{"a later rejection decides", step("words", parley.DecisionReject), parley.DecisionReject, "words"},
		{"a later approval does not publish", step("rule", parley.DecisionApprove), parley.DecisionHold, parley.StageVerifiedEmail},
		{"when the rest pass the wait stands", step("links", parley.DecisionPass), parley.DecisionHold, parley.StageVerifiedEmail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := moderation.NewPipeline(unverified, tc.after)
			m, err := p.Moderate(context.Background(), &parley.Submission{Action: parley.ActionCreate,
				Settings: parley.SiteSettings{RequireVerifiedEmail: true}, Author: &parley.User{ID: "u"}})
			if err != nil || m.Decision != tc.want || m.DecidedBy != tc.decidedBy {
				t.Errorf("got %v by %q (%v), want %v by %q", m.Decision, m.DecidedBy, err, tc.want, tc.decidedBy)
			}
			if len(m.Trail) != 2 {
				t.Errorf("trail has %d entries, want both stages", len(m.Trail))
			}
		})
	}
}

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

package graph_test

import (
	"context"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// MustConsumeSite feeds the trust consumer every event of a site, as the stream would.
func (s *stack) MustConsumeSite(tb testing.TB, siteID string) {
	tb.Helper()
	rows, err := postgrestest.Pool(tb, s.DB).Query(context.Background(), `
		SELECT id::text, kind, coalesce(site_id::text, ''), coalesce(story_id::text, ''), payload, created_at
		FROM outbox WHERE site_id = $1 ORDER BY created_at, id`, siteID)
	if err != nil {
		tb.Fatal(err)
	}
	var events []parley.OutboxEvent
	for rows.Next() {
		var oe parley.OutboxEvent
		if err := rows.Scan(&oe.ID, &oe.Kind, &oe.SiteID, &oe.StoryID, &oe.Payload, &oe.CreatedAt); err != nil {
			tb.Fatal(err)
		}
		events = append(events, oe)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	for _, oe := range events {
		if err := s.Trust.Handle(context.Background(), oe); err != nil {
			tb.Fatal(err)
		}
	}
}

const standingFields = `level pinned nextLevel
	signals { commentsPublished daysVisited rejectedTotal rejected { reason count } }
	nextLevelNeeds { signal need have met max } missing { signal need have }
	lastChange { from to ruleVersion crossed byModerator reason createdAt }`

type standingJSON struct {
	Level     int
	Pinned    bool
	NextLevel *int
	Signals   struct{ CommentsPublished, DaysVisited, RejectedTotal int }
	Missing   []struct {
		Signal     string
		Need, Have int
	}
	LastChange *struct {
		From, To    int
		RuleVersion string
		Crossed     []string
		ByModerator bool
		Reason      string
	}
}

func TestTrustStanding(t *testing.T) {
	w := shared.MustWorld(t)
	shared.MustConsumeSite(t, w.Site.ID)
	query := `query($site: ID!, $user: ID) { trustStanding(siteID: $site, userID: $user) { ` + standingFields + ` } }`

	t.Run("own standing shows the level earned and what the next one needs", func(t *testing.T) {
		var out struct{ TrustStanding standingJSON }
		w.Author.MustDo(t, query, map[string]any{"site": w.Site.ID}, &out)
		st := out.TrustStanding
		if st.Level != 1 || st.Pinned || st.Signals.CommentsPublished != 1 || st.Signals.DaysVisited != 1 {
			t.Fatalf("standing = %+v, want level 1 from one comment on one day", st)
		}
		if st.NextLevel == nil || *st.NextLevel != 2 || len(st.Missing) == 0 {
			t.Errorf("next = %v, missing %+v; want level 2 and what it lacks", st.NextLevel, st.Missing)
		}
		if st.LastChange == nil || st.LastChange.To != 1 || st.LastChange.RuleVersion == "" || len(st.LastChange.Crossed) == 0 || st.LastChange.ByModerator {
			t.Errorf("last change = %+v, want the automatic promotion with its rule and thresholds", st.LastChange)
		}
	})
	t.Run("the site's moderator sees anyone's", func(t *testing.T) {
		var out struct{ TrustStanding standingJSON }
		w.Moderator.MustDo(t, query, map[string]any{"site": w.Site.ID, "user": w.Author.User.ID}, &out)
		if out.TrustStanding.Level != 1 {
			t.Errorf("level = %d, want 1", out.TrustStanding.Level)
		}
	})
	refusals := map[string]struct {
		c    *client
		vars map[string]any
		code string
	}{
		"another reader is forbidden":           {w.Other, map[string]any{"site": w.Site.ID, "user": w.Author.User.ID}, "FORBIDDEN"},
		"another site's moderator is forbidden": {w.ModElsewhere, map[string]any{"site": w.Site.ID, "user": w.Author.User.ID}, "FORBIDDEN"},
		"anonymous is unauthenticated":          {shared.anonymous(), map[string]any{"site": w.Site.ID}, "UNAUTHENTICATED"},
		"an unknown site is not found":          {w.Author, map[string]any{"site": "00000000-0000-0000-0000-000000000000"}, "NOT_FOUND"},
		"a malformed site is not found":         {w.Author, map[string]any{"site": "nope"}, "NOT_FOUND"},
		"a malformed user is not found":         {w.Moderator, map[string]any{"site": w.Site.ID, "user": "nope"}, "NOT_FOUND"},
	}
	for name, tt := range refusals {
		t.Run(name, func(t *testing.T) { tt.c.MustFail(t, tt.code, query, tt.vars) })
	}
}

func TestPinTrustLevel(t *testing.T) {
	w := shared.MustWorld(t)
	shared.MustConsumeSite(t, w.Site.ID)
	pin := `mutation($in: PinTrustLevelInput!) { pinTrustLevel(input: $in) { ` + standingFields + ` } }`
	in := func(level any, reason string) map[string]any {
		return map[string]any{"in": map[string]any{"siteID": w.Site.ID, "userID": w.Author.User.ID, "level": level, "reason": reason}}
	}

	t.Run("a moderator pins a leader with a reason", func(t *testing.T) {
		var out struct{ PinTrustLevel standingJSON }
		w.Moderator.MustDo(t, pin, in(4, "Runs the local history society."), &out)
		st := out.PinTrustLevel
		if st.Level != 4 || !st.Pinned || st.NextLevel != nil {
			t.Fatalf("standing = %+v, want pinned at 4", st)
		}
		if ch := st.LastChange; ch == nil || !ch.ByModerator || ch.Reason != "Runs the local history society." || ch.From != 1 || ch.To != 4 {
			t.Errorf("last change = %+v, want the moderator's pin from 1 to 4 with its reason", ch)
		}
	})
	t.Run("signals do not move a pinned level", func(t *testing.T) {
		w.Author.MustComment(t, w.StoryID, "", "Another thought.")
		shared.MustConsumeSite(t, w.Site.ID)
		var out struct{ TrustStanding standingJSON }
		w.Author.MustDo(t, `query($site: ID!) { trustStanding(siteID: $site) { `+standingFields+` } }`, map[string]any{"site": w.Site.ID}, &out)
		if out.TrustStanding.Level != 4 || out.TrustStanding.Signals.CommentsPublished != 2 {
			t.Errorf("standing = %+v, want still 4 with 2 comments counted", out.TrustStanding)
		}
	})
	t.Run("unpinning returns to the earned level", func(t *testing.T) {
		var out struct{ PinTrustLevel standingJSON }
		w.Moderator.MustDo(t, pin, in(nil, ""), &out)
		if st := out.PinTrustLevel; st.Level != 1 || st.Pinned {
			t.Errorf("standing = %+v, want level 1 unpinned", st)
		}
	})
	refusals := map[string]struct {
		c    *client
		vars map[string]any
		code string
	}{
		"the author cannot pin their own":    {w.Author, in(3, ""), "FORBIDDEN"},
		"another site's moderator cannot":    {w.ModElsewhere, in(3, ""), "FORBIDDEN"},
		"anonymous is unauthenticated":       {shared.anonymous(), in(3, ""), "UNAUTHENTICATED"},
		"a level above 4 is invalid":         {w.Moderator, in(5, ""), "INVALID"},
		"a negative level is invalid":        {w.Moderator, in(-1, ""), "INVALID"},
		"a reason over 500 chars is invalid": {w.Moderator, in(2, strings.Repeat("x", 501)), "INVALID"},
		"an unknown user is not found": {w.Moderator, map[string]any{"in": map[string]any{"siteID": w.Site.ID,
			"userID": "00000000-0000-0000-0000-000000000000", "level": 2}}, "NOT_FOUND"},
		"an unknown site is not found": {w.Moderator, map[string]any{"in": map[string]any{"siteID": "00000000-0000-0000-0000-000000000000",
			"userID": w.Author.User.ID, "level": 2}}, "NOT_FOUND"},
	}
	for name, tt := range refusals {
		t.Run(name, func(t *testing.T) { tt.c.MustFail(t, tt.code, pin, tt.vars) })
	}
}

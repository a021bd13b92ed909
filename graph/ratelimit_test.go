package graph_test

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/graph"
	"github.com/parleyhq/parley/ratelimit"
)

func TestMutationLimits(t *testing.T) {
	t.Parallel()
	s := newServices(shared.DB)
	s.serve(graph.Options{Limits: graph.MutationLimits{PerAccount: ratelimit.NewMemory(time.Hour, 3)}})
	defer s.Close()
	admin := s.MustAdmin(t)
	st := s.MustCreateSite(t, admin)
	story := s.MustStory(t, st)
	author := s.MustSignUp(t)
	t.Run("aliases count one by one", func(t *testing.T) {
		r := author.Do(t, `mutation($s: ID!) {
			a: createComment(input: {storyID: $s, body: "one"}) { comment { id } }
			b: createComment(input: {storyID: $s, body: "two"}) { comment { id } }
			c: createComment(input: {storyID: $s, body: "three"}) { comment { id } }
			d: createComment(input: {storyID: $s, body: "four"}) { comment { id } }
		}`, map[string]any{"s": story})
		if r.Code() != "RATE_LIMITED" {
			t.Fatalf("answer = %s", r.Raw)
		}
		// JSON numbers decode as float64.
		if after, _ := r.Errors[0].Extensions["retryAfter"].(float64); after < 1 {
			t.Errorf("retryAfter = %v, want whole seconds ≥ 1", r.Errors[0].Extensions["retryAfter"])
		}
	})
	t.Run("another account is not limited", func(t *testing.T) {
		s.MustSignUp(t).MustDo(t, createComment, in("storyID", story, "body", "hello"), nil)
	})
}

func TestClientKeyGroupsIPv6By64(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"2001:db8:1:2:aaaa::1", "2001:db8:1:2:bbbb::9", true},
		{"2001:db8:1:2::1", "2001:db8:1:3::1", false},
		{"192.0.2.1", "192.0.2.2", false},
		{"::ffff:192.0.2.1", "192.0.2.1", true},
	} {
		if got := graph.ClientKey(tc.a) == graph.ClientKey(tc.b); got != tc.same {
			t.Errorf("%s and %s counted together = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}

package moderation_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation"
)

// fixed is a stage that always answers the same.
type fixed struct {
	name string
	v    parley.Verdict
	err  error
}

func (f fixed) Name() string { return f.name }
func (f fixed) Check(context.Context, *parley.Submission) (parley.Verdict, error) {
	return f.v, f.err
}

// stuck never answers until its context ends, and then only after its caller stopped
// waiting; a plug-in that ignores cancellation behaves like this.
type stuck struct{ release chan struct{} }

func (stuck) Name() string { return "stuck" }
func (s stuck) Check(ctx context.Context, _ *parley.Submission) (parley.Verdict, error) {
	<-s.release
	return parley.Verdict{Decision: parley.DecisionApprove}, nil
}

type panicky struct{}

func (panicky) Name() string { return "panicky" }
func (panicky) Check(context.Context, *parley.Submission) (parley.Verdict, error) {
	panic("boom")
}

func verdict(d parley.Decision) parley.Verdict { return parley.Verdict{Decision: d} }

func TestPipeline(t *testing.T) {
	sub := &parley.Submission{Comment: &parley.Comment{}}
	release := make(chan struct{})
	defer close(release)
	for _, tc := range []struct {
		name      string
		steps     []moderation.Step
		want      parley.Decision
		decidedBy string
		trail     int
		errAt     int // index of the trail entry that records an error, -1 for none
	}{
		{"every stage passing publishes", []moderation.Step{{Stage: fixed{"a", verdict(parley.DecisionPass), nil}}, {Stage: fixed{"b", verdict(parley.DecisionPass), nil}}},
			parley.DecisionPass, "", 2, -1},
		{"the first decision ends the run", []moderation.Step{{Stage: fixed{"a", verdict(parley.DecisionHold), nil}}, {Stage: fixed{"b", verdict(parley.DecisionReject), nil}}},
			parley.DecisionHold, "a", 1, -1},
		{"a shadow stage is recorded without effect", []moderation.Step{{Stage: fixed{"a", verdict(parley.DecisionReject), nil}, Shadow: true}, {Stage: fixed{"b", verdict(parley.DecisionApprove), nil}}},
			parley.DecisionApprove, "b", 2, -1},
		{"a failing stage that fails open passes", []moderation.Step{{Stage: fixed{"a", parley.Verdict{}, errors.New("plug-in answered 500")}}},
			parley.DecisionPass, "", 1, 0},
		{"a failing stage that fails closed holds", []moderation.Step{{Stage: fixed{"a", parley.Verdict{}, errors.New("plug-in answered 500")}, FailClosed: true}},
			parley.DecisionHold, "a", 1, 0},
		{"an unknown decision is a failure", []moderation.Step{{Stage: fixed{"a", verdict("MAYBE"), nil}, FailClosed: true}},
			parley.DecisionHold, "a", 1, 0},
		{"a panicking stage is a failure", []moderation.Step{{Stage: panicky{}, FailClosed: true}},
			parley.DecisionHold, "panicky", 1, 0},
		{"a stage past its budget follows its policy", []moderation.Step{{Stage: stuck{release}, Budget: 20 * time.Millisecond}, {Stage: fixed{"b", verdict(parley.DecisionReject), nil}}},
			parley.DecisionReject, "b", 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := moderation.NewPipeline(tc.steps...).Moderate(context.Background(), sub)
			if err != nil {
				t.Fatal(err)
			}
			if m.Decision != tc.want || m.DecidedBy != tc.decidedBy || len(m.Trail) != tc.trail {
				t.Fatalf("moderation = %+v", m)
			}
			for i, r := range m.Trail {
				if (r.Error != "") != (i == tc.errAt) {
					t.Errorf("trail[%d].Error = %q", i, r.Error)
				}
			}
		})
	}
}

func TestBuiltInStages(t *testing.T) {
	settings := parley.DefaultSiteSettings()
	for _, tc := range []struct {
		name   string
		mutate func(*parley.Submission)
		want   parley.Decision
		flag   string
	}{
		{"a plain comment passes", func(*parley.Submission) {}, parley.DecisionPass, ""},
		{"staff are approved", func(s *parley.Submission) { s.Role = parley.RoleModerator; s.Settings.PremodAll = true }, parley.DecisionApprove, moderation.FlagStaff},
		{"a repeat post is rejected", func(s *parley.Submission) { s.History.SameBodyRecently = true }, parley.DecisionReject, moderation.FlagRepeatPost},
		{"pre-moderation holds everything", func(s *parley.Submission) { s.Settings.PremodAll = true }, parley.DecisionHold, moderation.FlagPremod},
		{"a new commenter is held", func(s *parley.Submission) { s.Settings.PremodNewCommenters = 3; s.History.Published = 2 }, parley.DecisionHold, moderation.FlagNewCommenter},
		{"an established commenter passes", func(s *parley.Submission) { s.Settings.PremodNewCommenters = 3; s.History.Published = 3 }, parley.DecisionPass, ""},
		{"a high rejection rate holds", func(s *parley.Submission) {
			s.Settings.HoldRejectionRate = 0.5
			s.History.RecentRejected, s.History.RecentTotal = 3, 5
		}, parley.DecisionHold, moderation.FlagRecentRejections},
		{"a rate over too few comments passes", func(s *parley.Submission) {
			s.Settings.HoldRejectionRate = 0.5
			s.History.RecentRejected, s.History.RecentTotal = 2, 2
		}, parley.DecisionPass, ""},
		{"a link is held when the site asks", func(s *parley.Submission) {
			s.Settings.PremodLinks = true
			s.Comment.Body = `<p>see <a href="https://x.org" rel="nofollow ugc noopener">x</a></p>`
		}, parley.DecisionHold, moderation.FlagLinks},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &parley.Submission{Comment: &parley.Comment{Body: "<p>hello</p>"}, Settings: settings, Role: parley.RoleCommenter}
			tc.mutate(s)
			m, err := moderation.Default().Moderate(context.Background(), s)
			if err != nil {
				t.Fatal(err)
			}
			if m.Decision != tc.want {
				t.Fatalf("decision = %s, want %s (%+v)", m.Decision, tc.want, m.Trail)
			}
			if tc.flag != "" {
				last := m.Trail[len(m.Trail)-1].Verdict
				if len(last.Flags) == 0 || last.Flags[0] != tc.flag || last.Evidence == "" {
					t.Fatalf("verdict = %+v, want flag %s with evidence", last, tc.flag)
				}
			}
		})
	}
}

func TestSiteChosenPipeline(t *testing.T) {
	p := moderation.NewPipeline(
		moderation.Step{Stage: fixed{"a", verdict(parley.DecisionPass), nil}},
		moderation.Step{Stage: fixed{"b", verdict(parley.DecisionHold), nil}},
	).With(moderation.Step{Stage: fixed{"extra", verdict(parley.DecisionReject), nil}})
	run := func(stages ...parley.StageSetting) *parley.Moderation {
		t.Helper()
		m, err := p.Moderate(context.Background(), &parley.Submission{Comment: &parley.Comment{}, Settings: parley.SiteSettings{Stages: stages}})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	t.Run("no choice runs the default steps only", func(t *testing.T) {
		if m := run(); m.DecidedBy != "b" || len(m.Trail) != 2 {
			t.Fatalf("moderation = %+v", m)
		}
	})
	t.Run("a site's order and extra stages apply", func(t *testing.T) {
		if m := run(parley.StageSetting{Stage: "extra"}, parley.StageSetting{Stage: "b"}); m.DecidedBy != "extra" || m.Decision != parley.DecisionReject {
			t.Fatalf("moderation = %+v", m)
		}
	})
	t.Run("a site can run a stage in shadow mode", func(t *testing.T) {
		m := run(parley.StageSetting{Stage: "extra", Shadow: true}, parley.StageSetting{Stage: "a"})
		if m.Decision != parley.DecisionPass || !m.Trail[0].Shadow || m.Trail[0].Verdict.Decision != parley.DecisionReject {
			t.Fatalf("moderation = %+v", m)
		}
	})
	t.Run("shadow stages still run after a decision", func(t *testing.T) {
		m := run(parley.StageSetting{Stage: "b"}, parley.StageSetting{Stage: "a"}, parley.StageSetting{Stage: "extra", Shadow: true})
		if m.DecidedBy != "b" || len(m.Trail) != 2 || m.Trail[1].Stage != "extra" {
			t.Fatalf("moderation = %+v", m)
		}
	})
	t.Run("an unknown stage follows its failure policy", func(t *testing.T) {
		m := run(parley.StageSetting{Stage: "plugin:gone", FailClosed: true})
		if m.Decision != parley.DecisionHold || m.Trail[0].Error == "" {
			t.Fatalf("moderation = %+v", m)
		}
	})
	t.Run("the default pipeline is the pipeline's own steps, without the offered extras", func(t *testing.T) {
		got := p.DefaultPipeline()
		if len(got) != 2 || got[0].Stage != "a" || got[1].Stage != "b" {
			t.Fatalf("default pipeline = %+v", got)
		}
	})
	t.Run("every stage is offered to sites", func(t *testing.T) {
		if names := p.StageNames(); len(names) != 3 || names[0] != "a" || names[2] != "extra" {
			t.Fatalf("names = %v", names)
		}
	})
}

func TestCanBeWrong(t *testing.T) {
	p := moderation.Default(moderation.Step{Stage: moderation.NewWordLists(nil).Stage()}).
		With(moderation.Step{Stage: fixed{name: "plugin:acme"}})
	t.Run("the built-in rules cannot be wrong", func(t *testing.T) {
		for _, st := range p.DefaultPipeline() {
			if st.Stage != "word_list" && p.CanBeWrong(st.Stage) {
				t.Errorf("CanBeWrong(%q) = true for a rule", st.Stage)
			}
		}
	})
	t.Run("word lists, plug-ins and unknown stages judge, and can be wrong", func(t *testing.T) {
		for _, name := range []string{"word_list", "plugin:acme", "plugin:gone"} {
			if !p.CanBeWrong(name) {
				t.Errorf("CanBeWrong(%q) = false", name)
			}
		}
	})
}

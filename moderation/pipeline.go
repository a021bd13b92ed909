// Package moderation decides whether a comment is published, held for review or rejected.
// A Pipeline runs ordered Stages; each says PASS or decides, and every stage that ran is
// recorded in a trail that moderators, the author and the public log can read.
package moderation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/parleyhq/parley"
)

// Stage is one check of the pipeline. Check should honour ctx: the pipeline cancels it when
// its budget runs out.
type Stage interface {
	Name() string
	Check(ctx context.Context, s *parley.Submission) (parley.Verdict, error)
}

// Step is a stage as configured in a pipeline.
type Step struct {
	Stage Stage
	// Budget bounds the stage's time; zero runs it inline without a bound, which is right
	// for stages that only compute.
	Budget time.Duration
	// FailClosed holds the comment when the stage fails or runs out of time; otherwise the
	// failure passes. Either way the trail records it.
	FailClosed bool
	// Shadow runs the stage without effect: its verdict is recorded, then treated as PASS,
	// so a community can see what it would do before trusting it.
	Shadow bool
}

// Pipeline runs steps in order; the first APPROVE, HOLD or REJECT of a step not in shadow
// mode ends the run. It implements parley.Moderator. A site may choose its own order, stages
// and policies (parley.SiteSettings.Stages) from the stages the pipeline knows; sites that
// do not choose get the pipeline's own steps.
type Pipeline struct {
	steps    []Step
	byName   map[string]Step
	observer func(parley.StageResult)
}

// Observe calls f with every stage result, for metrics.
func (p *Pipeline) Observe(f func(parley.StageResult)) *Pipeline {
	p.observer = f
	return p
}

// NewPipeline returns a pipeline of steps, run in the order given; they are also the stages
// sites may pick from.
func NewPipeline(steps ...Step) *Pipeline {
	p := &Pipeline{steps: steps, byName: map[string]Step{}}
	for _, s := range steps {
		p.byName[s.Stage.Name()] = s
	}
	return p
}

// With makes more stages available to sites without running them by default, such as
// plug-ins a site turns on.
func (p *Pipeline) With(steps ...Step) *Pipeline {
	for _, s := range steps {
		p.byName[s.Stage.Name()] = s
	}
	return p
}

// Then appends steps to the pipeline's default steps.
func (p *Pipeline) Then(steps ...Step) *Pipeline {
	p.steps = append(p.steps, steps...)
	return p.With(steps...)
}

// StageNames lists the stages sites may configure, for the dashboard.
func (p *Pipeline) StageNames() []string {
	names := make([]string, 0, len(p.byName))
	for _, s := range p.steps {
		names = append(names, s.Stage.Name())
	}
	for name := range p.byName {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

// CanBeWrong reports whether the named stage judges what comments say (a word list, a
// classifier, a plug-in), so that moderators may disagree with it and its agreement with them
// is worth measuring; it is false for rules. A name the pipeline does not know, such as a
// plug-in since removed, is taken as a judgement.
func (p *Pipeline) CanBeWrong(stage string) bool {
	_, rule := p.byName[stage].Stage.(Rule)
	return !rule
}

// DefaultPipeline returns the steps a site runs when it chooses none.
func (p *Pipeline) DefaultPipeline() []parley.StageSetting {
	settings := make([]parley.StageSetting, 0, len(p.steps))
	for _, s := range p.steps {
		settings = append(settings, parley.StageSetting{
			Stage: s.Stage.Name(), Shadow: s.Shadow, FailClosed: s.FailClosed, BudgetMs: int(s.Budget / time.Millisecond),
		})
	}
	return settings
}

// stepsFor returns the steps a site configured, or the default ones.
func (p *Pipeline) stepsFor(settings parley.SiteSettings) []Step {
	if len(settings.Stages) == 0 {
		return p.steps
	}
	steps := make([]Step, 0, len(settings.Stages))
	for _, st := range settings.Stages {
		step, ok := p.byName[st.Stage]
		if !ok {
			step = Step{Stage: missingStage(st.Stage)}
		}
		step.Shadow, step.FailClosed = st.Shadow, st.FailClosed
		if st.BudgetMs > 0 {
			step.Budget = time.Duration(st.BudgetMs) * time.Millisecond
		}
		steps = append(steps, step)
	}
	return steps
}

// missingStage stands for a configured stage this server does not know (a plug-in removed
// from the configuration, say): it fails, so the step's failure policy decides and the trail
// says why.
type missingStage string

func (m missingStage) Name() string { return string(m) }

func (m missingStage) Check(context.Context, *parley.Submission) (parley.Verdict, error) {
	return parley.Verdict{}, fmt.Errorf("no stage named %q is installed on this server", string(m))
}

var _ parley.Moderator = (*Pipeline)(nil)

// FlagStageFailed marks a verdict forced by a stage's failure policy.
const FlagStageFailed = "STAGE_FAILED"

// Moderate runs the pipeline. It never fails because a stage did: failures follow the
// stage's policy and go into the trail. The one answer that is not a failure is a refusal: a
// stage not in shadow that answers an ERATELIMITED error (a community's RATE rule, say)
// refuses the comment, which is then not stored, and Moderate returns that error; in shadow,
// the refusal is only recorded in the trail.
//
// A stage that defers its hold (the verified-email wait) does not end the run with it: the
// stages after it still run, a later HOLD or REJECT decides instead, and only when none does
// (they pass, or one approves) does the deferred hold stand, with that stage as DecidedBy. So
// a comment decided by such a stage is held for that reason alone, whatever the order of a
// site's stages, and can be released when the reason goes.
func (p *Pipeline) Moderate(ctx context.Context, s *parley.Submission) (*parley.Moderation, error) {
	m := &parley.Moderation{Decision: parley.DecisionPass}
	deferred := ""
	for _, step := range p.stepsFor(s.Settings) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Once a decision stands, only shadow stages still run: their verdicts are what
		// their precision is measured on, so they should see every comment.
		if m.DecidedBy != "" && !step.Shadow {
			continue
		}
		result, refused := runStep(ctx, step, s)
		if p.observer != nil {
			p.observer(result)
		}
		if refused != nil && !step.Shadow {
			return nil, refused
		}
		m.Trail = append(m.Trail, result)
		if !step.Shadow {
			s.Flags = append(s.Flags, result.Verdict.Flags...)
		}
		if step.Shadow || result.Verdict.Decision == parley.DecisionPass {
			continue
		}
		if _, ok := step.Stage.(holdDeferrer); ok && result.Verdict.Decision == parley.DecisionHold && deferred == "" {
			deferred = result.Stage
			continue
		}
		m.Decision, m.DecidedBy = result.Verdict.Decision, result.Stage
	}
	if deferred != "" && (m.DecidedBy == "" || m.Decision == parley.DecisionApprove) {
		m.Decision, m.DecidedBy = parley.DecisionHold, deferred
	}
	return m, nil
}

// holdDeferrer is a stage whose HOLD yields to the other stages' HOLD or REJECT.
type holdDeferrer interface{ defersHold() }

// FlagRefused marks the trail entry of a shadow stage that would have refused the comment.
const FlagRefused = "REFUSED"

// runStep runs one stage under its budget and failure policy; refused is the stage's
// ERATELIMITED answer, which is a refusal rather than a failure.
func runStep(ctx context.Context, step Step, s *parley.Submission) (_ parley.StageResult, refused error) {
	start := time.Now()
	var v parley.Verdict
	var err error
	if step.Budget <= 0 {
		v, err = check(ctx, step.Stage, s)
	} else {
		v, err = checkWithin(ctx, step.Stage, s, step.Budget)
	}
	r := parley.StageResult{Stage: step.Stage.Name(), Verdict: v, Duration: time.Since(start), Shadow: step.Shadow}
	if err == nil && !validDecision(v.Decision) {
		err = fmt.Errorf("stage answered an unknown decision %q", v.Decision)
	}
	if err != nil && parley.ErrorCode(err) == parley.ERATELIMITED {
		r.Verdict = parley.Verdict{Decision: parley.DecisionPass, Flags: append(v.Flags, FlagRefused), Evidence: parley.ErrorMessage(err), Version: v.Version}
		return r, err
	}
	if err != nil {
		r.Error = err.Error()
		r.Verdict = parley.Verdict{Decision: parley.DecisionPass, Flags: []string{FlagStageFailed}, Evidence: "The stage failed; its failure passes."}
		if step.FailClosed {
			r.Verdict = parley.Verdict{Decision: parley.DecisionHold, Flags: []string{FlagStageFailed}, Evidence: "The stage failed; its failure holds the comment for review."}
		}
	}
	return r, nil
}

func validDecision(d parley.Decision) bool {
	switch d {
	case parley.DecisionPass, parley.DecisionApprove, parley.DecisionHold, parley.DecisionReject:
		return true
	}
	return false
}

// check runs a stage, turning a panic into an error so one bad stage cannot take the
// request down.
func check(ctx context.Context, st Stage, s *parley.Submission) (v parley.Verdict, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("stage panicked: %v", r)
		}
	}()
	return st.Check(ctx, s)
}

// errBudget reports a stage that did not answer within its budget.
var errBudget = errors.New("stage did not answer within its time budget")

// checkWithin runs a stage in its own goroutine and stops waiting when the budget ends,
// even if the stage ignores its context.
func checkWithin(ctx context.Context, st Stage, s *parley.Submission, budget time.Duration) (parley.Verdict, error) {
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	type answer struct {
		v   parley.Verdict
		err error
	}
	done := make(chan answer, 1)
	go func() {
		v, err := check(ctx, st, s)
		done <- answer{v, err}
	}()
	select {
	case a := <-done:
		if a.err != nil && ctx.Err() == context.DeadlineExceeded {
			return a.v, fmt.Errorf("%w (%s)", errBudget, budget)
		}
		return a.v, a.err
	case <-ctx.Done():
		return parley.Verdict{}, fmt.Errorf("%w (%s)", errBudget, budget)
	}
}

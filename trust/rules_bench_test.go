package trust_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/markup"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/trust"
)

// twentyRules is a plausible site's rule set: every example of the README, and more of the
// same shapes, twenty in all.
func twentyRules() []*parley.Rule {
	exprs := append([]string{}, ExampleRules...)
	for i := 0; len(exprs) < 20; i++ {
		exprs = append(exprs,
			fmt.Sprintf(`comment.length > %d && author.level < 2 && comment.links > %d`, 1000+i, i%3),
			fmt.Sprintf(`comment.text.contains("offer%d") || comment.flags.exists(f, f == "X%d")`, i, i))
	}
	effects := []parley.RuleEffect{{Kind: parley.EffectHold}, {Kind: parley.EffectFlag, Code: "LOOK"}, {Kind: parley.EffectReject}, {Kind: parley.EffectLevelCeiling, Level: 1}}
	var rules []*parley.Rule
	for i, e := range exprs[:20] {
		rules = append(rules, &parley.Rule{ID: fmt.Sprintf("r%02d", i), Name: fmt.Sprintf("rule %d", i), Expression: e, Effect: effects[i%len(effects)], Version: 1})
	}
	return rules
}

func benchSubmission(i int) (*parley.Submission, *parley.TrustSignals) {
	body := fmt.Sprintf("A reader's view on the article, number %d, with some length to it so the text is not trivial to scan.", i)
	sub := &parley.Submission{Action: parley.ActionCreate, Role: parley.RoleCommenter,
		Comment: &parley.Comment{ID: fmt.Sprint(i), SiteID: "s", Body: "<p>" + body + ` <a href="https://example.org">x</a></p>`, BodySource: body, Depth: i % 4},
		Story:   &parley.Story{URL: "https://example.org/news/1", Title: "News", CreatedAt: time.Now().Add(-48 * time.Hour)},
		Author:  &parley.User{ID: fmt.Sprint("u", i%500), CreatedAt: time.Now().Add(-30 * 24 * time.Hour)},
		History: parley.AuthorHistory{TrustLevel: parley.TrustLevel(i % 4)}}
	return sub, &parley.TrustSignals{CommentsPublished: i % 40, DaysVisited: i % 20, Rejected: map[string]int{"SPAM": i % 5}}
}

// BenchmarkRuleEvaluation evaluates twenty enacted rules on one comment per iteration, as
// the trust_rules stage does, and reports the median and 99th percentile.
func BenchmarkRuleEvaluation(b *testing.B) {
	e := MustEngine(b)
	set, err := e.RuleSet(twentyRules(), parley.DefaultRuleCostLimit)
	if err != nil {
		b.Fatal(err)
	}
	subs := make([]*trust.Facts, 1024)
	for i := range subs {
		sub, sig := benchSubmission(i)
		subs[i] = &trust.Facts{Sub: sub, Signals: sig, Flags: []string{"LINKS"}, Now: time.Now()}
	}
	times := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := *subs[i%len(subs)]
		start := time.Now()
		if _, err := set.Evaluate(&f); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(times[len(times)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkBacktestReplay replays a proposal over 100,000 stored comments with twenty rules
// in force: the replay alone, without the sample's read.
func BenchmarkBacktestReplay(b *testing.B) {
	e := MustEngine(b)
	rules := twentyRules()
	before, err := e.RuleSet(rules, parley.DefaultRuleCostLimit)
	if err != nil {
		b.Fatal(err)
	}
	after, err := e.RuleSet(append(rules, &parley.Rule{ID: "new", Name: "new", Version: 1, Expression: `comment.text.contains("casino")`,
		Effect: parley.RuleEffect{Kind: parley.EffectReject}}), parley.DefaultRuleCostLimit)
	if err != nil {
		b.Fatal(err)
	}
	const n = parley.MaxBacktestComments
	items := make([]parley.BacktestItem, n)
	signals := map[string]*parley.TrustSignals{}
	base := time.Now()
	for i := range items {
		sub, sig := benchSubmission(i)
		sub.Comment.CreatedAt, sub.Comment.AuthorID, sub.Comment.Status = base.Add(-time.Duration(i)*time.Minute), sub.Author.ID, parley.StatusPublished
		if i%7 == 0 {
			sub.Comment.BodySource += " casino"
		}
		human := parley.Decision("")
		if i%10 == 0 {
			human = parley.DecisionReject
		}
		items[i] = parley.BacktestItem{Comment: sub.Comment, Story: sub.Story, AuthorCreatedAt: sub.Author.CreatedAt, Role: parley.RoleCommenter,
			Level: sub.History.TrustLevel, Human: human}
		signals[sub.Author.ID] = sig
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := trust.ReplayItems(items, signals, parley.SiteSettings{}, before, after, parley.DefaultTrustSettings(), parley.DefaultTrustSettings())
		if r.Comments != n {
			b.Fatalf("replayed %d", r.Comments)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/backtest")
}

// BenchmarkBacktest runs a whole back-test over 100,000 stored comments of 1,000 authors on
// PostgreSQL, with twenty rules in force: the sample's read, the authors' signals and levels,
// the replay.
func BenchmarkBacktest(b *testing.B) {
	e := MustEnv(b)
	f := e.MustRules(b, parley.RuleSettings{ModeratorQuorum: 1, CostLimit: parley.DefaultRuleCostLimit})
	mod, modUser := e.MustModerator(b, f.site)
	postgrestest.Exec(b, e.DB, `
		WITH authors AS (
			INSERT INTO users (id, username, created_at)
			SELECT gen_random_uuid(), 'bt' || replace($1::text, '-', '') || '_' || g, now() - interval '60 days' FROM generate_series(1, 1000) g
			RETURNING id),
		a AS (SELECT array_agg(id) ids FROM authors),
		c AS (
			INSERT INTO comments (id, story_id, site_id, author_id, root_id, depth, body, body_source, status, created_at)
			SELECT s.id, $2::uuid, $1::uuid, a.ids[1 + s.g % 1000], s.id, 0, '<p>comment ' || s.g || '</p>',
				'comment ' || s.g || CASE WHEN s.g % 7 = 0 THEN ' casino' ELSE '' END,
				CASE WHEN s.g % 10 = 0 THEN 'REJECTED' ELSE 'PUBLISHED' END, now() - s.g * interval '1 minute'
			FROM (SELECT gen_random_uuid() id, g FROM generate_series(1, 100000) g) s, a
			RETURNING id, status)
		INSERT INTO moderator_actions (id, site_id, comment_id, moderator_id, action, reason)
		SELECT gen_random_uuid(), $1::uuid, c.id, $3::uuid, 'REJECT', 'SPAM' FROM c WHERE c.status = 'REJECTED'`,
		f.site.ID, f.story.ID, modUser.ID)
	for i, r := range twentyRules() {
		p := f.MustPropose(b, mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: fmt.Sprintf("rule %d", i), Expression: r.Expression, Effect: &r.Effect})
		if _, err := f.rules.Vote(mod, p.ID, true); err != nil {
			b.Fatal(err)
		}
	}
	p := f.MustPropose(b, mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: "casino", Expression: `comment.text.contains("casino")`,
		Effect: &parley.RuleEffect{Kind: parley.EffectReject}})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := f.rules.Backtest(mod, p.ID, parley.MaxBacktestComments)
		if err != nil {
			b.Fatal(err)
		}
		if got.Backtest.Comments != parley.MaxBacktestComments {
			b.Fatalf("replayed %d comments", got.Backtest.Comments)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/backtest")
}

// BenchmarkCreateComment posts comments through the default pipeline on PostgreSQL, without
// community rules and with twenty enacted ones (read from the stage's cache; their signals
// from the trust store), so the two throughputs of one run can be compared.
func BenchmarkCreateComment(b *testing.B) {
	e := MustEnv(b)
	for _, n := range []int{0, 20} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			f := e.MustRules(b, parley.RuleSettings{ModeratorQuorum: 1, CostLimit: parley.DefaultRuleCostLimit})
			mod, _ := e.MustModerator(b, f.site)
			for i, r := range twentyRules()[:n] {
				p := f.MustPropose(b, mod, parley.ProposalInput{Kind: parley.ProposalAddRule, Name: fmt.Sprintf("rule %d", i), Expression: r.Expression, Effect: &r.Effect})
				if _, err := f.rules.Vote(mod, p.ID, true); err != nil {
					b.Fatal(err)
				}
			}
			stage := trust.NewStage(MustEngine(b), f.store, e.store)
			comments := moderation.NewCommentService(postgres.NewCommentService(e.DB, markup.NewRenderer()), moderation.Default(moderation.Step{Stage: stage}))
			author, _ := e.MustUser(b)
			b.ResetTimer()
			for i := range b.N {
				if _, err := comments.CreateComment(author, parley.CreateCommentInput{StoryID: f.story.ID, Body: fmt.Sprintf("Comment %d of a benchmark with %d rules.", i, n)}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comments/s")
		})
	}
}

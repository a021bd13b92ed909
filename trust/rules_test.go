package trust_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/trust"
)

// MustEngine returns a rule engine.
func MustEngine(tb testing.TB) *trust.Engine {
	tb.Helper()
	e, err := trust.NewEngine()
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func TestCheckRefuses(t *testing.T) {
	e := MustEngine(t)
	for _, tc := range []struct {
		name, expr string
		line, col  int
		msg        string
	}{
		{"a rule that does not parse", "comment.length >", 1, 17, "Syntax error"},
		{"a parse error on a later line", "comment.length > 3 &&\n  author.level <", 2, 17, "Syntax error"},
		{"a rule that does not type-check", "comment.length > 'long'", 1, 16, "no matching overload"},
		{"an unknown field", "comment.colour == 'red'", 1, 1, "undeclared reference"},
		{"an unknown field on a later line", "author.level < 2 &&\n  author.karma > 3", 2, 3, "undeclared reference"},
		{"the wrong result type", "comment.length + 1", 1, 1, "must yield a bool"},
		{"a macro loop over the cost limit", "[" + strings.Repeat("1,", 200) + "1].all(a, [" + strings.Repeat("1,", 200) + "1].all(b, a + b > 0))", 1, 1, ""},
		{"a comprehension nested too deep", "comment.flags.all(a, comment.flags.all(b, comment.flags.all(c, a == b && b == c)))", 1, 1, "nesting"},
		{"an empty rule", "  ", 1, 1, "needs an expression"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.Check(tc.expr, parley.DefaultRuleCostLimit)
			if c.Valid || len(c.Issues) == 0 {
				t.Fatalf("Check(%q) is valid", tc.expr)
			}
			is := c.Issues[0]
			if tc.msg != "" && !strings.Contains(is.Message, tc.msg) {
				t.Errorf("message %q, want it to contain %q", is.Message, tc.msg)
			}
			if tc.line != is.Line || (tc.col != 1 && tc.col != is.Column) {
				t.Errorf("position %d:%d, want %d:%d (%s)", is.Line, is.Column, tc.line, tc.col, is.Message)
			}
			err := trust.CheckError(c)
			var pe *parley.Error
			if !errors.As(err, &pe) || pe.Code != parley.EINVALID || pe.Field != "expression" || !strings.Contains(pe.Message, "Line ") {
				t.Errorf("CheckError = %v, want INVALID on expression with its position", err)
			}
		})
	}
}

func TestCheckCostOverTheSiteLimit(t *testing.T) {
	e := MustEngine(t)
	expr := "comment.flags.exists(f, f == 'LINKS') && comment.text.contains('casino')"
	if c := e.Check(expr, parley.DefaultRuleCostLimit); !c.Valid {
		t.Fatalf("valid under the default limit: %+v", c.Issues)
	}
	c := e.Check(expr, 10)
	if c.Valid || !strings.Contains(c.Issues[0].Message, "over the site's limit of 10") {
		t.Fatalf("Check with limit 10 = %+v, want refused for cost", c)
	}
}

func TestCheckAccepts(t *testing.T) {
	e := MustEngine(t)
	for _, expr := range ExampleRules {
		if c := e.Check(expr, parley.DefaultRuleCostLimit); !c.Valid {
			t.Errorf("Check(%q) = %+v", expr, c.Issues)
		}
	}
}

// ExampleRules are the README's examples: each must check.
var ExampleRules = []string{
	`author.level == 0 && comment.links > 0`,
	`comment.text.contains("casino") && author.commentsPublished < 5`,
	`author.rejected > 3 && author.rejected * 2 > author.commentsPublished`,
	`comment.flags.exists(f, f == "LINKS") && author.accountAgeDays < 2`,
	`comment.depth >= 6 && comment.length < 20`,
	`author.reportsAgainstUpheld >= 3`,
	`story.closed || story.ageDays > 30 && author.level < 2`,
	`author.role == "MEMBER" && author.level >= 2`,
}

func TestEvaluate(t *testing.T) {
	e := MustEngine(t)
	now := time.Now()
	rule := func(id, expr string, eff parley.RuleEffect) *parley.Rule {
		return &parley.Rule{ID: id, SiteID: "s", Name: id, Expression: expr, Effect: eff, Version: 1}
	}
	rules := []*parley.Rule{
		rule("links", "author.level == 0 && comment.links > 0", parley.RuleEffect{Kind: parley.EffectHold}),
		rule("casino", `comment.text.contains("casino")`, parley.RuleEffect{Kind: parley.EffectReject}),
		rule("flagged", `comment.flags.exists(f, f == "SUSPECT_WORD")`, parley.RuleEffect{Kind: parley.EffectFlag, Code: "SECOND_LOOK"}),
		rule("floor", `author.commentsPublished > 100`, parley.RuleEffect{Kind: parley.EffectLevelFloor, Level: 2}),
	}
	shadow := rule("shadow", "true", parley.RuleEffect{Kind: parley.EffectReject})
	shadow.Shadow = true
	rules = append(rules, shadow)
	set, err := e.RuleSet(rules, parley.DefaultRuleCostLimit)
	if err != nil {
		t.Fatal(err)
	}
	sub := func(body, source string, level parley.TrustLevel) *parley.Submission {
		return &parley.Submission{Comment: &parley.Comment{SiteID: "s", Body: body, BodySource: source}, History: parley.AuthorHistory{TrustLevel: level}}
	}
	for _, tc := range []struct {
		name  string
		f     *trust.Facts
		want  parley.Decision
		flags string
	}{
		{"a new author's link is held", &trust.Facts{Sub: sub(`<a href="x">x</a>`, "[x](x)", 0), Now: now}, parley.DecisionHold, "RULE_HOLD"},
		{"a member's link passes", &trust.Facts{Sub: sub(`<a href="x">x</a>`, "[x](x)", 2), Now: now}, parley.DecisionPass, ""},
		{"a disguised casino is rejected after normalisation", &trust.Facts{Sub: sub("<p>CАSINO</p>", "CАSINO", 3), Now: now}, parley.DecisionReject, "RULE_REJECT"},
		{"an earlier stage's flag is seen", &trust.Facts{Sub: sub("<p>hm</p>", "hm", 3), Flags: []string{"SUSPECT_WORD"}, Now: now}, parley.DecisionPass, "SECOND_LOOK"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := set.Evaluate(tc.f)
			if err != nil {
				t.Fatal(err)
			}
			v := out.Verdict()
			if v.Decision != tc.want || strings.Join(v.Flags, ",") != tc.flags {
				t.Fatalf("verdict %+v, want %s with flags %q", v, tc.want, tc.flags)
			}
			if !strings.Contains(v.Evidence, `"shadow" (REJECT, shadow)`) {
				t.Errorf("the shadow rule is not in the evidence: %q", v.Evidence)
			}
		})
	}
	out, _ := set.Evaluate(&trust.Facts{Sub: sub("x", "x", 1), Signals: &parley.TrustSignals{CommentsPublished: 200}, Now: now})
	if got := out.Standing.Clamp(parley.TrustBasic); got != parley.TrustMember {
		t.Errorf("a LEVEL_FLOOR of 2 clamps level 1 to %d", got)
	}
}

func TestRuntimeCostLimitAbortsARunawayRule(t *testing.T) {
	e := MustEngine(t)
	// The static estimate assumes comments of a few thousand characters; a far longer one
	// costs more than the limit at run time.
	r := &parley.Rule{ID: "long", Name: "long", Version: 1, Expression: `comment.text.contains("x") || comment.text.contains("y")`, Effect: parley.RuleEffect{Kind: parley.EffectHold}}
	set, err := e.RuleSet([]*parley.Rule{r}, 500)
	if err != nil {
		t.Fatal(err)
	}
	f := &trust.Facts{Sub: &parley.Submission{Comment: &parley.Comment{BodySource: strings.Repeat("a", 50000)}}, Now: time.Now()}
	if _, err := set.Evaluate(f); !errors.Is(err, trust.ErrRuleCost) {
		t.Fatalf("Evaluate = %v, want ErrRuleCost", err)
	}
}

func TestCompileIsCachedPerVersion(t *testing.T) {
	e := MustEngine(t)
	r := &parley.Rule{ID: "r", Name: "r", Version: 1, Expression: "true", Effect: parley.RuleEffect{Kind: parley.EffectHold}}
	a, _ := e.Compile(r, 100)
	b, _ := e.Compile(r, 100)
	c, _ := e.Compile(&parley.Rule{ID: "r", Name: "r", Version: 2, Expression: "false"}, 100)
	if a != b || a == c {
		t.Fatal("programs are not cached per rule version")
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range append(ExampleRules, "comment.length >", "[1,2].all(x, [1,2].all(y, x < y))", "author.karma", "1 + 1", "\x00", "'\\u00'", "comment.flags.map(f, f + f).size() > 0") {
		f.Add(s)
	}
	e := MustEngine(f)
	f.Fuzz(func(t *testing.T, expr string) {
		c := e.Check(expr, parley.DefaultRuleCostLimit)
		if !c.Valid {
			for _, is := range c.Issues {
				if is.Line < 1 || is.Column < 1 || is.Message == "" {
					t.Fatalf("issue without a position or message: %+v", is)
				}
			}
			return
		}
		r := &parley.Rule{ID: "f", Name: "f", Version: 1, Expression: expr, Effect: parley.RuleEffect{Kind: parley.EffectHold}}
		c2, err := e.CompileExpression(r, parley.DefaultRuleCostLimit)
		if err != nil {
			t.Fatalf("a checked rule does not compile: %v", err)
		}
		sub := &parley.Submission{Comment: &parley.Comment{Body: "<p>a</p>", BodySource: "a"}}
		if _, err := c2.Eval(&trust.Facts{Sub: sub, Now: time.Now()}); err != nil && !errors.Is(err, trust.ErrRuleCost) &&
			!strings.Contains(err.Error(), "division") && !strings.Contains(err.Error(), "modulus") && !strings.Contains(err.Error(), "overflow") &&
			!strings.Contains(err.Error(), "index") && !strings.Contains(err.Error(), "no such key") && !strings.Contains(err.Error(), "out of range") {
			t.Logf("runtime error (the stage's policy handles it): %v", err)
		}
	})
}

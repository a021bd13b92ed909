package trust

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/types"

	"github.com/parleyhq/parley"
)

// Fields are the variables a rule may read, with their CEL types. The names are the
// contract of community rules (the README lists them): a field is never renamed.
var Fields = map[string]*cel.Type{
	"comment.length":  cel.IntType,
	"comment.links":   cel.IntType,
	"comment.text":    cel.StringType,
	"comment.depth":   cel.IntType,
	"comment.isReply": cel.BoolType,
	"comment.isEdit":  cel.BoolType,
	"comment.flags":   cel.ListType(cel.StringType),

	"author.level":                 cel.IntType,
	"author.role":                  cel.StringType,
	"author.accountAgeDays":        cel.IntType,
	"author.daysVisited":           cel.IntType,
	"author.commentsPublished":     cel.IntType,
	"author.rejected":              cel.IntType,
	"author.reportsAgainstUpheld":  cel.IntType,
	"author.reportsFiledUpheld":    cel.IntType,
	"author.reportsFiledDismissed": cel.IntType,
	"author.reactionsReceived":     cel.IntType,
	"author.activeSanctions":       cel.IntType,
	"author.pastSanctions":         cel.IntType,

	"story.url":     cel.StringType,
	"story.title":   cel.StringType,
	"story.closed":  cel.BoolType,
	"story.ageDays": cel.IntType,

	"site.id": cel.StringType,
}

// Size assumptions of the static cost estimate: a rule is estimated over a comment of up to
// estimatedTextSize characters with up to estimatedFlags flags. A longer comment may cost
// more at run time, which the runtime limit catches.
const (
	estimatedTextSize = 2000
	estimatedFlags    = 16
	estimatedURLSize  = 500
)

// Engine checks, compiles and runs community rules. Programs are compiled once per rule
// version and cost limit and kept, so evaluating a comment costs no compilation.
type Engine struct {
	env *cel.Env
	mu  sync.Mutex
	// programs holds compiled rules by rule ID, version and cost limit.
	programs map[string]*Compiled
}

// NewEngine builds the typed environment every rule is checked against.
func NewEngine() (*Engine, error) {
	opts := []cel.EnvOption{
		cel.ParserRecursionLimit(64),
		cel.ParserExpressionSizeLimit(parley.MaxRuleExpressionLength),
		cel.ASTValidators(cel.ValidateComprehensionNestingLimit(2)),
	}
	names := make([]string, 0, len(Fields))
	for name := range Fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		opts = append(opts, cel.Variable(name, Fields[name]))
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, fmt.Errorf("trust: rule environment: %w", err)
	}
	return &Engine{env: env, programs: map[string]*Compiled{}}, nil
}

// Compiled is a rule ready to run.
type Compiled struct {
	Rule *parley.Rule
	prg  cel.Program
	// fast runs without cost tracking: it is used when the comment is within the sizes the
	// static estimate assumed, where that estimate (under the limit) already bounds the cost.
	fast cel.Program
	// signals is true when the rule reads the author's signals beyond level and role, so a
	// stage knows whether to read them.
	signals bool
	// text is true when the rule reads the normalised text.
	text bool
}

// Check parses, type-checks and estimates an expression against a cost limit. Every issue
// carries its 1-based line and column.
func (e *Engine) Check(expression string, costLimit int) parley.RuleCheck {
	_, check := e.compile(expression, costLimit)
	return check
}

// CheckError is Check as an error: nil for a valid expression, else EINVALID naming the
// field "expression" and the first issue's position.
func CheckError(c parley.RuleCheck) error {
	if c.Valid {
		return nil
	}
	is := c.Issues[0]
	return parley.FieldErrorf("expression", "Line %d, column %d: %s", is.Line, is.Column, is.Message)
}

func (e *Engine) compile(expression string, costLimit int) (*cel.Ast, parley.RuleCheck) {
	fail := func(line, col int, format string, args ...any) (*cel.Ast, parley.RuleCheck) {
		return nil, parley.RuleCheck{Issues: []parley.RuleIssue{{Line: line, Column: col, Message: fmt.Sprintf(format, args...)}}}
	}
	switch {
	case strings.TrimSpace(expression) == "":
		return fail(1, 1, "A rule needs an expression.")
	case utf8.RuneCountInString(expression) > parley.MaxRuleExpressionLength:
		return fail(1, 1, "An expression is at most %d characters long.", parley.MaxRuleExpressionLength)
	case !utf8.ValidString(expression):
		return fail(1, 1, "The expression is not valid UTF-8.")
	}
	ast, iss := e.env.Compile(expression)
	if iss.Err() != nil {
		return nil, parley.RuleCheck{Issues: issues(iss)}
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		return fail(1, 1, "A rule must yield a bool (true when its effect applies), not %s.", ast.OutputType())
	}
	est, err := e.env.EstimateCost(ast, estimator{})
	if err != nil {
		return fail(1, 1, "The cost of the expression cannot be estimated: %v", err)
	}
	check := parley.RuleCheck{Valid: true, Issues: []parley.RuleIssue{}, CostMax: int(min(est.Max, uint64(1<<31-1)))}
	if est.Max > uint64(costLimit) {
		line, col := hottest(ast)
		check.Valid = false
		check.Issues = []parley.RuleIssue{{Line: line, Column: col,
			Message: fmt.Sprintf("The expression may cost up to %d, over the site's limit of %d; loop over fewer items or nest fewer macros.", est.Max, costLimit)}}
	}
	return ast, check
}

// hottest returns where the first comprehension (a macro's loop) starts, the usual reason
// for a high cost, or 1:1.
func hottest(ast *cel.Ast) (int, int) {
	info := ast.NativeRep().SourceInfo()
	line, col := 1, 1
	best := int64(-1)
	for id, call := range info.MacroCalls() {
		if best == -1 || id < best {
			loc := info.GetStartLocation(call.ID())
			if loc.Line() > 0 {
				best, line, col = id, loc.Line(), loc.Column()+1
			}
		}
	}
	return line, col
}

func issues(iss *cel.Issues) []parley.RuleIssue {
	var out []parley.RuleIssue
	for _, e := range iss.Errors() {
		line, col := e.Location.Line(), e.Location.Column()+1
		if line < 1 {
			line = 1
		}
		if col < 1 {
			// Some parser errors have no column (the macro's argument, say): the line's start.
			col = 1
		}
		out = append(out, parley.RuleIssue{Line: line, Column: col, Message: e.Message})
	}
	if len(out) == 0 {
		out = append(out, parley.RuleIssue{Line: 1, Column: 1, Message: iss.String()})
	}
	return out
}

// Compile returns the rule's program, compiled once per rule version and cost limit.
func (e *Engine) Compile(r *parley.Rule, costLimit int) (*Compiled, error) {
	key := fmt.Sprintf("%s@%d/%d", r.ID, r.Version, costLimit)
	e.mu.Lock()
	c, ok := e.programs[key]
	e.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err := e.CompileExpression(r, costLimit)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.programs[key] = c
	e.mu.Unlock()
	return c, nil
}

// CompileExpression compiles a rule without the cache, for proposals and back-tests.
func (e *Engine) CompileExpression(r *parley.Rule, costLimit int) (*Compiled, error) {
	ast, check := e.compile(r.Expression, costLimit)
	if err := CheckError(check); err != nil {
		return nil, err
	}
	prg, err := e.env.Program(ast, cel.CostLimit(uint64(costLimit)), cel.InterruptCheckFrequency(100))
	if err != nil {
		return nil, parley.FieldErrorf("expression", "Line 1, column 1: %v", err)
	}
	fast, err := e.env.Program(ast)
	if err != nil {
		return nil, parley.FieldErrorf("expression", "Line 1, column 1: %v", err)
	}
	c := &Compiled{Rule: r, prg: prg, fast: fast}
	for _, ref := range ast.NativeRep().ReferenceMap() {
		switch {
		case ref.Name == "comment.text":
			c.text = true
		case strings.HasPrefix(ref.Name, "author.") && ref.Name != "author.level" && ref.Name != "author.role":
			c.signals = true
		}
	}
	return c, nil
}

// ErrRuleCost is the error of a rule that ran over its cost limit at run time.
var ErrRuleCost = errors.New("the rule ran over its cost limit")

// Eval runs the rule on one comment's facts.
func (c *Compiled) Eval(f *Facts) (bool, error) {
	prg := c.prg
	if f.withinEstimate() {
		prg = c.fast
	}
	out, _, err := prg.Eval(f)
	if err != nil {
		if strings.Contains(err.Error(), "cost limit") {
			return false, fmt.Errorf("rule %q: %w", c.Rule.Name, ErrRuleCost)
		}
		return false, fmt.Errorf("rule %q: %w", c.Rule.Name, err)
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("rule %q yielded %s, not a bool", c.Rule.Name, out.Type())
	}
	return bool(b), nil
}

// estimator sizes the variables whose size the checker cannot know.
type estimator struct{}

func (estimator) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	path := n.Path()
	if len(path) == 0 {
		return nil
	}
	var size uint64
	switch path[0] {
	case "comment.text", "story.title":
		size = estimatedTextSize
	case "comment.flags":
		size = estimatedFlags
	case "story.url", "author.role", "site.id":
		size = estimatedURLSize
	default:
		return nil
	}
	s := cost.RangedSizeEstimate(0, size)
	return &s
}

func (estimator) EstimateCallCost(string, string, *cost.AstNode, []cost.AstNode) *cost.CallEstimate {
	return nil
}

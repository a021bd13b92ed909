package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/parleyhq/parley"
)

// textRules are the rules for the string inputs that need more room than defaultTextRule
// gives, or lines: one per schema coordinate, Type.field.argument for an argument and
// InputType.field for an input field. The services apply their own, often tighter, limits
// afterwards; these bound what reaches them at all.
var textRules = map[string]parley.TextRule{
	"Query.story.url":             {MaxRunes: parley.MaxStoryURLLength},
	"Query.storyCounts.urls":      {MaxRunes: parley.MaxStoryURLLength},
	"Query.stories.query":         {MaxRunes: parley.MaxStoryQueryLength},
	"Query.previewComment.body":   bodyRule,
	"Query.stories.after":         cursorRule,
	"Query.moderationQueue.after": cursorRule,
	"Story.comments.after":        cursorRule,
	"Comment.replies.after":       cursorRule,
	"User.comments.after":         cursorRule,

	"SignUpInput.email":           {MaxRunes: 254},
	"SignUpInput.password":        passwordRule,
	"SignInInput.login":           {MaxRunes: 254},
	"SignInInput.password":        passwordRule,
	"DeleteAccountInput.password": passwordRule,
	"SSOInput.token":              {MaxRunes: 8192},

	"RequestPasswordResetInput.email": {MaxRunes: 254},
	"ResetPasswordInput.password":     passwordRule,
	"ChangeEmailInput.email":          {MaxRunes: 254},
	"ChangeEmailInput.password":       passwordRule,

	"CreateSiteInput.name":             {MaxRunes: 100},
	"CreateSiteInput.allowedOrigins":   originRule,
	"SiteSettingsInput.name":           {MaxRunes: 100},
	"SiteSettingsInput.allowedOrigins": originRule,
	"SiteSettingsInput.closedMessage":  {MaxRunes: 500, Multiline: true},
	"SiteSettingsInput.ssoSecret":      {MaxRunes: 1024},
	"ReactionKindInput.kind":           {MaxRunes: 32},
	"ReactionKindInput.label":          {MaxRunes: 40},
	"ReactionKindInput.icon":           {MaxRunes: 8},
	"StageSettingInput.stage":          {MaxRunes: 64},
	"UpdateStoryInput.title":           {MaxRunes: 300},
	"WordListInput.terms":              {MaxRunes: parley.MaxWordListBytes, Multiline: true},

	"CreateCommentInput.storyURL": {MaxRunes: parley.MaxStoryURLLength},
	"CreateCommentInput.body":     bodyRule,
	"EditCommentInput.body":       bodyRule,
	"ReactionInput.kind":          {MaxRunes: 32},
	"ReportInput.details":         {MaxRunes: parley.MaxReportDetailsLength, Multiline: true},
	"ModerateInput.note":          {MaxRunes: parley.MaxModeratorNoteLength, Multiline: true},
	"BulkModerateInput.note":      {MaxRunes: parley.MaxModeratorNoteLength, Multiline: true},
	"BanInput.message":            messageRule,
	"SuspendInput.message":        messageRule,
	"UserSanctionInput.message":   messageRule,
	"UserNoteInput.body":          {MaxRunes: parley.MaxUserNoteLength, Multiline: true},
	"PinTrustLevelInput.reason":   {MaxRunes: 500, Multiline: true},
	"ProposeRuleInput.expression": {MaxRunes: parley.MaxRuleExpressionLength, Multiline: true},
	"ProposeRuleInput.rationale":  {MaxRunes: parley.MaxRationaleLength, Multiline: true},
	"Query.checkRule.expression":  {MaxRunes: parley.MaxRuleExpressionLength, Multiline: true},

	"CreateWebhookEndpointInput.url": {MaxRunes: 2000},
	"UpdateWebhookEndpointInput.url": {MaxRunes: 2000},
}

var (
	// defaultTextRule is every other string's: one line of at most 200 characters, which
	// is room for any name or key the API takes.
	defaultTextRule = parley.TextRule{MaxRunes: 200}
	// idRule is every ID's: IDs are UUIDs, and the services answer NOT_FOUND or INVALID for
	// one of the wrong shape; this only keeps what is not text at all from reaching them.
	idRule       = parley.TextRule{MaxRunes: 100}
	cursorRule   = parley.TextRule{MaxRunes: parley.MaxCursorLength}
	passwordRule = parley.TextRule{MaxRunes: parley.MaxPasswordLength}
	originRule   = parley.TextRule{MaxRunes: 300}
	bodyRule     = parley.TextRule{MaxRunes: parley.MaxCommentLengthLimit, Multiline: true}
	messageRule  = parley.TextRule{MaxRunes: parley.MaxSanctionMessageLength, Multiline: true}
)

// maxListLength bounds every list an operation passes as input; the services bound each
// list more tightly (100 URLs, 50 origins, …).
const maxListLength = 1000

// inputCheck applies the input rules to every argument of every field an operation selects,
// nested input objects and lists included, before anything runs: every string passes its
// TextRule (valid UTF-8, no control characters but the line breaks multiline text allows, a
// length limit), every Int fits in 32 bits as GraphQL's Int must, every Float is finite, and
// every list has at most maxListLength items. It is driven by the schema, so an argument
// added tomorrow is checked without anyone remembering to: no resolver can forget it.
type inputCheck struct {
	schema *ast.Schema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*inputCheck)(nil)

// ExtensionName implements graphql.HandlerExtension.
func (*inputCheck) ExtensionName() string { return "InputCheck" }

// Validate implements graphql.HandlerExtension. It keeps the schema, and refuses a textRules
// entry that names no String or ID input, so that the table cannot drift from the schema.
func (c *inputCheck) Validate(es graphql.ExecutableSchema) error {
	c.schema = es.Schema()
	for coord := range textRules {
		if t := c.coordinateType(coord); t == nil || t.Name() != "String" && t.Name() != "ID" {
			return fmt.Errorf("graph: textRules names %q, which is not a String or ID input of the schema", coord)
		}
	}
	return nil
}

// coordinateType returns the type of an argument (Type.field.argument) or input field
// (InputType.field), nil when there is none.
func (c *inputCheck) coordinateType(coord string) *ast.Type {
	parts := strings.Split(coord, ".")
	def := c.schema.Types[parts[0]]
	if def == nil || len(parts) < 2 {
		return nil
	}
	f := def.Fields.ForName(parts[1])
	switch {
	case f == nil:
		return nil
	case len(parts) == 2 && def.Kind == ast.InputObject:
		return f.Type
	case len(parts) == 3 && def.Kind == ast.Object:
		if a := f.Arguments.ForName(parts[2]); a != nil {
			return a.Type
		}
	}
	return nil
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (c *inputCheck) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	w := inputWalker{c: c, vars: opCtx.Variables, fragments: opCtx.Doc.Fragments, seen: map[string]bool{}}
	if err := w.selections(opCtx.Operation.SelectionSet); err != nil {
		gqlErr := gqlerror.WrapIfUnwrapped(err)
		errcode.Set(gqlErr, errcode.ValidationFailed)
		return gqlErr
	}
	return nil
}

// inputWalker visits each field of an operation once, each fragment once (a fragment's
// arguments do not change with where it is spread, since variables are the operation's).
type inputWalker struct {
	c         *inputCheck
	vars      map[string]any
	fragments ast.FragmentDefinitionList
	seen      map[string]bool
}

func (w *inputWalker) selections(set ast.SelectionSet) error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if err := w.field(s); err != nil {
				return err
			}
			if err := w.selections(s.SelectionSet); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := w.selections(s.SelectionSet); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if w.seen[s.Name] {
				continue
			}
			w.seen[s.Name] = true
			if f := w.fragments.ForName(s.Name); f != nil {
				if err := w.selections(f.SelectionSet); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (w *inputWalker) field(f *ast.Field) error {
	if f.Definition == nil || f.ObjectDefinition == nil {
		return nil
	}
	for _, arg := range f.Arguments {
		def := f.Definition.Arguments.ForName(arg.Name)
		if def == nil {
			continue
		}
		v, err := w.value(arg.Value)
		if err != nil {
			return parley.FieldErrorf(arg.Name, "Argument %s: %s", arg.Name, err)
		}
		if err := w.c.check(f.ObjectDefinition.Name+"."+f.Name+"."+arg.Name, arg.Name, def.Type, v); err != nil {
			return err
		}
	}
	return nil
}

// value turns an argument into plain Go values, reading variables from the operation's
// (already coerced) variables. Numbers written in the document stay json.Numbers, so that
// one too large for int64 is refused here rather than panicking later.
func (w *inputWalker) value(v *ast.Value) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch v.Kind {
	case ast.Variable:
		return w.vars[v.Raw], nil
	case ast.IntValue, ast.FloatValue:
		return json.Number(v.Raw), nil
	case ast.ListValue:
		out := make([]any, 0, len(v.Children))
		for _, c := range v.Children {
			x, err := w.value(c.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	case ast.ObjectValue:
		out := make(map[string]any, len(v.Children))
		for _, c := range v.Children {
			if c.Value.Kind == ast.Variable {
				if _, ok := w.vars[c.Value.Raw]; !ok {
					continue // an unset variable leaves the field out
				}
			}
			x, err := w.value(c.Value)
			if err != nil {
				return nil, err
			}
			out[c.Name] = x
		}
		return out, nil
	case ast.NullValue:
		return nil, nil
	default:
		return v.Raw, nil
	}
}

// check applies the rules to one value of type t, at schema coordinate coord, reported as
// field name.
func (c *inputCheck) check(coord, name string, t *ast.Type, v any) error {
	if v == nil {
		return nil
	}
	if t.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			return c.check(coord, name, t.Elem, v) // one value stands for a list of one
		}
		if len(list) > maxListLength {
			return parley.FieldErrorf(name, "Field %s may list at most %d items.", name, maxListLength)
		}
		for _, x := range list {
			if err := c.check(coord, name, t.Elem, x); err != nil {
				return err
			}
		}
		return nil
	}
	def := c.schema.Types[t.NamedType]
	if def == nil {
		return nil
	}
	switch def.Kind {
	case ast.InputObject:
		obj, _ := v.(map[string]any)
		for _, f := range def.Fields {
			if x, ok := obj[f.Name]; ok {
				if err := c.check(def.Name+"."+f.Name, f.Name, f.Type, x); err != nil {
					return err
				}
			}
		}
	case ast.Scalar:
		return checkScalar(coord, name, def.Name, v)
	}
	return nil
}

// checkScalar applies the rule of one scalar value.
func checkScalar(coord, name, scalar string, v any) error {
	switch scalar {
	case "String", "ID":
		s, ok := v.(string)
		if !ok {
			return nil // an ID may be written as a number; there is no text to check
		}
		rule, ok := textRules[coord]
		switch {
		case ok:
		case scalar == "ID":
			rule = idRule
		default:
			rule = defaultTextRule
		}
		return rule.Check(name, s)
	case "Int":
		if _, err := strconv.ParseInt(numberText(v), 10, 32); err != nil {
			return parley.FieldErrorf(name, "Field %s must be a whole number from %d to %d.", name, math.MinInt32, math.MaxInt32)
		}
	case "Float":
		if f, err := strconv.ParseFloat(numberText(v), 64); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return parley.FieldErrorf(name, "Field %s must be a finite number.", name)
		}
	}
	return nil
}

// numberText writes a number as JSON or the document wrote it.
func numberText(v any) string {
	switch n := v.(type) {
	case json.Number:
		return string(n)
	case string:
		return n
	default:
		return fmt.Sprint(n)
	}
}

package graph_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
)

// TestHostileInputsNeverAnswerInternal walks the introspected schema and sends hostile values
// to every argument and input field — nested ones and list items included — of every query
// and mutation, and of every field with arguments that a query reaches, as an anonymous
// reader, a commenter and an admin. Every other argument gets a valid value, so the hostile
// one is what the server judges. Whatever the answer, it must never be INTERNAL or a 5xx: a
// bad input always has a typed answer (DESIGN.md §7). A field added to the schema is walked
// without anyone remembering to add it here.
func TestHostileInputsNeverAnswerInternal(t *testing.T) {
	t.Parallel()
	s := shared
	w := s.MustWorld(t)
	victim := s.MustSignUp(t)
	w.Admin.MustDo(t, `mutation($in: UserSanctionInput!) { warnUser(input: $in) { id } }`,
		in("userID", victim.User.ID, "siteID", w.Site.ID, "message", "Mind the rules."), nil)
	var sanctions struct {
		User struct{ Sanctions []struct{ ID string } }
	}
	w.Admin.MustDo(t, `query($id: ID!, $site: ID!) { user(id: $id) { sanctions(siteID: $site) { id } } }`,
		map[string]any{"id": victim.User.ID, "site": w.Site.ID}, &sanctions)
	sch := introspect(t, s)
	b := &baseline{schema: sch, ids: map[string]string{
		"siteID": w.Site.ID, "storyID": w.StoryID, "commentID": w.CommentID, "parentID": w.CommentID,
		"userID": victim.User.ID, "sanctionID": sanctions.User.Sanctions[0].ID,
		"Query.site.id": w.Site.ID, "Query.story.id": w.StoryID, "Query.comment.id": w.CommentID, "Query.user.id": victim.User.ID,
	}, origin: w.Site.Origin}
	// routes reach the types whose fields take arguments, from a root query field.
	routes := map[string]string{
		"Query":    "",
		"Mutation": "",
		"Story":    fmt.Sprintf("story(id: %q)", w.StoryID),
		"Comment":  fmt.Sprintf("comment(id: %q)", w.CommentID),
		"User":     fmt.Sprintf("comment(id: %q) { author", w.CommentID),
		"Site":     fmt.Sprintf("site(id: %q)", w.Site.ID),
		// The admin's list reaches an endpoint, made here so its deliveries field runs.
		"WebhookEndpoint": fmt.Sprintf("webhookEndpoints(siteID: %q)", w.Site.ID),
	}
	w.Admin.MustDo(t, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { secret } }`,
		in("siteID", w.Site.ID, "url", "https://hooks.example.org/", "kinds", []string{"comment.created"}), nil)
	cases := hostileCases(t, sch, b, routes)
	paths := map[string]bool{}
	for _, c := range cases {
		paths[c.arg] = true
	}

	callers := []struct {
		name string
		c    *client
	}{{"anonymous", s.anonymous()}, {"commenter", w.Author}, {"admin", w.Admin}}
	var mu sync.Mutex
	failures := map[string]string{}
	sent := 0
	t.Run("as every caller", func(t *testing.T) {
		for _, caller := range callers {
			t.Run(caller.name, func(t *testing.T) {
				t.Parallel()
				for _, c := range cases {
					r := caller.c.sendRaw(t, c.body)
					mu.Lock()
					sent++
					internal := r.Status >= 500
					for _, e := range r.Errors {
						internal = internal || e.Extensions["code"] == "INTERNAL"
					}
					if internal {
						failures[caller.name+" "+c.arg+c.variant+" = "+c.label] = r.Raw
					}
					mu.Unlock()
				}
			})
		}
	})
	t.Logf("sent %d hostile inputs (%d per caller) to %d argument paths", sent, len(cases), len(paths))
	keys := make([]string, 0, len(failures))
	for k := range failures {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i == 40 {
			t.Errorf("… and %d more", len(keys)-i)
			break
		}
		raw := failures[k]
		if len(raw) > 300 {
			raw = raw[:300] + "…"
		}
		t.Errorf("%s answered %s", k, raw)
	}
}

// sendRaw posts a request body as it is, for bodies that encoding/json cannot write (a lone
// surrogate escape).
func (c *client) sendRaw(tb testing.TB, body []byte) *response {
	tb.Helper()
	return c.Send(tb, http.MethodPost, "application/json", body, nil)
}

// hostileCase is one request: the hostile value label at an argument path, with the
// optional enum arguments of variant set.
type hostileCase struct {
	arg, variant string
	label        string
	body         []byte
}

// hostileCases builds a request for every hostile value at every argument path of the
// fields of the routed types.
func hostileCases(t *testing.T, sch *schema, b *baseline, routes map[string]string) []hostileCase {
	t.Helper()
	var out []hostileCase
	for _, typ := range sch.Types {
		if typ.Kind != "OBJECT" || strings.HasPrefix(typ.Name, "__") || typ.Name == sch.SubscriptionType.Name {
			continue
		}
		for _, f := range typ.Fields {
			if len(f.Args) == 0 {
				continue
			}
			route, ok := routes[typ.Name]
			if !ok {
				t.Errorf("%s.%s takes arguments but no route reaches %s: add one to routes", typ.Name, f.Name, typ.Name)
				continue
			}
			for _, target := range f.Args {
				for _, variant := range sch.enumVariants(f, target.Name) {
					coord := typ.Name + "." + f.Name + "." + target.Name
					sch.locations(target.Type, nil, func(path []string, at typeRef) {
						values := sch.hostileValues(at)
						if k := sch.kind(at); k == "SCALAR" && (*at.Name == "String" || *at.Name == "ID") {
							values = append(values, shaped(b.value(coord, locationName(target.Name, path), at))...)
						}
						for _, h := range values {
							if h.literal && len(path) > 0 {
								continue // a literal goes only where an argument's whole value goes
							}
							out = append(out, hostileCase{
								arg:     coord + pathSuffix(path),
								variant: variant.label,
								label:   h.label,
								body:    b.request(typ.Name, route, f, target.Name, path, h, variant.set),
							})
						}
					})
				}
			}
		}
	}
	return out
}

// enumVariant sets optional enum arguments besides the one under attack, since how an
// argument is read can depend on them (a cursor on the order it was made for).
type enumVariant struct {
	label string
	set   map[string]string
}

// enumVariants answers one variant with no optional enum argument set, and one for each
// value of each optional enum argument of f other than target.
func (sch *schema) enumVariants(f schemaField, target string) []enumVariant {
	out := []enumVariant{{}}
	for _, a := range f.Args {
		if a.Name == target || a.Type.Kind == "NON_NULL" || sch.kind(a.Type) != "ENUM" {
			continue
		}
		for _, v := range sch.byName[*a.Type.Name].EnumValues {
			out = append(out, enumVariant{label: " (" + a.Name + ": " + v.Name + ")", set: map[string]string{a.Name: v.Name}})
		}
	}
	return out
}

// locationName is the name of the argument or input field a path ends at.
func locationName(arg string, path []string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] != "[]" {
			return path[i]
		}
	}
	return arg
}

// shaped are hostile values hidden in a valid one (base, a baseline value), for fields
// whose shape is checked first: an email, a URL, an ID.
func shaped(base any) []hostile {
	s, _ := base.(string)
	half := len(s) / 2
	return []hostile{
		{label: "NUL inside a valid value", raw: jsonString(s[:half] + "\x00" + s[half:])},
		{label: "an escape after a valid value", raw: jsonString(s + "\x1b[0m")},
		{label: "a line break inside a valid value", raw: jsonString(s[:half] + "\n" + s[half:])},
	}
}

func pathSuffix(path []string) string {
	if len(path) == 0 {
		return ""
	}
	return "." + strings.Join(path, ".")
}

// hostile is a value in raw JSON, or, for literal, written into the document itself.
type hostile struct {
	label   string
	raw     string
	literal bool
}

// hostileStrings go to every String and ID.
var hostileStrings = []hostile{
	{label: "NUL", raw: `"\u0000"`},
	{label: "NUL within", raw: `"a\u0000b"`},
	{label: "lone high surrogate", raw: `"\ud800"`},
	{label: "reversed surrogates", raw: `"\udfff\ud800x"`},
	{label: "1 MB", raw: `"` + strings.Repeat("a", 1_000_000) + `"`},
	{label: "control characters", raw: `"\u0007\u001b[31m\u007f\u0085"`},
	{label: "empty", raw: `""`},
	{label: "invisible only", raw: `" \u200b\u2060\ufeff\u3164 "`},
	{label: "malformed ID", raw: `"not-an-id"`},
	{label: "unknown ID", raw: `"00000000-0000-0000-0000-000000000000"`},
	{label: "uppercase ID", raw: `"0190A0A0-0000-7000-8000-00000000000A"`},
	{label: "cursor with a count beyond int4", raw: jsonString(cursorJSON("MOST_REPLIES", 9999999999, "2026-01-01T00:00:00Z"))},
	{label: "reactions cursor with a count beyond int4", raw: jsonString(cursorJSON("MOST_REACTIONS", 9999999999, "2026-01-01T00:00:00Z"))},
	{label: "cursor in year 1", raw: jsonString(cursorJSON("NEWEST", 0, "0001-01-01T00:00:00Z"))},
	{label: "cursor with a negative count", raw: jsonString(cursorJSON("OLDEST", -5, "2026-01-01T00:00:00Z"))},
	{label: "not base64", raw: `"!!!!"`},
	{label: "long base64", raw: `"` + strings.Repeat("QUFB", 80) + `"`},
	{label: "malformed URL", raw: `"http://[::1"`},
	{label: "javascript URL", raw: `"javascript:alert(1)"`},
	{label: "SQL", raw: `"' OR 1=1; --"`},
}

func cursorJSON(order string, count int64, at string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"o":%q,"c":%d,"t":%q,"i":"0190a0a0-0000-7000-8000-000000000001"}`, order, count, at)))
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

var hostileInts = []hostile{
	{label: "max int32", raw: `2147483647`},
	{label: "min int32", raw: `-2147483648`},
	{label: "past int32", raw: `2147483648`},
	{label: "below int32", raw: `-2147483649`},
	{label: "ten digits", raw: `9999999999`},
	{label: "past int64", raw: `99999999999999999999`},
	{label: "1e30", raw: `1e30`},
	{label: "negative", raw: `-1`},
	{label: "zero", raw: `0`},
	{label: "literal ten digits", raw: `9999999999`, literal: true},
	{label: "literal past int64", raw: `99999999999999999999`, literal: true},
}

var hostileFloats = []hostile{
	{label: "huge", raw: `1e308`},
	{label: "huge negative", raw: `-1e308`},
	{label: "overflow", raw: `1e309`},
	{label: "negative", raw: `-1`},
}

var hostileOther = map[string][]hostile{
	"Boolean": {{label: "a string", raw: `"true"`}},
	"ENUM":    {{label: "unknown", raw: `"NOPE"`}, {label: "empty", raw: `""`}, {label: "lowercase", raw: `"newest"`}},
	"INPUT_OBJECT": {{label: "a string", raw: `"x"`}, {label: "empty object", raw: `{}`},
		{label: "unknown field", raw: `{"nope": 1}`}},
}

// hostileValues are the values sent at a location of type at (non-null already unwrapped).
func (sch *schema) hostileValues(at typeRef) []hostile {
	if at.Kind == "LIST" {
		return []hostile{{label: "1001 nulls", raw: "[" + strings.Repeat("null,", 1000) + "null]"}, {label: "a number", raw: `7`}}
	}
	switch k := sch.kind(at); k {
	case "SCALAR":
		switch *at.Name {
		case "String", "ID":
			return hostileStrings
		case "Int":
			return hostileInts
		case "Float":
			return hostileFloats
		}
		return hostileOther[*at.Name]
	default:
		return hostileOther[k]
	}
}

package graph_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// This file reads the schema by introspection and writes requests from it, for the hostile
// walk of hostile_test.go.

// schema is the part of an introspection answer the walk needs.
type schema struct {
	QueryType, MutationType, SubscriptionType struct{ Name string }
	Types                                     []fullType
	byName                                    map[string]*fullType
}

type fullType struct {
	Kind, Name  string
	Fields      []schemaField
	InputFields []inputValue
	EnumValues  []struct{ Name string }
}

type schemaField struct {
	Name string
	Args []inputValue
	Type typeRef
}

type inputValue struct {
	Name         string
	Type         typeRef
	DefaultValue *string
}

type typeRef struct {
	Kind   string
	Name   *string
	OfType *typeRef
}

const typeRefFields = `kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`

func introspect(t *testing.T, s *stack) *schema {
	t.Helper()
	var out struct {
		Schema schema `json:"__schema"`
	}
	s.anonymous().MustDo(t, `{ __schema { queryType { name } mutationType { name } subscriptionType { name }
		types { kind name enumValues { name }
			fields { name type { `+typeRefFields+` } args { name defaultValue type { `+typeRefFields+` } } }
			inputFields { name defaultValue type { `+typeRefFields+` } } } } }`, nil, &out)
	sch := &out.Schema
	sch.byName = map[string]*fullType{}
	for i := range sch.Types {
		sch.byName[sch.Types[i].Name] = &sch.Types[i]
	}
	return sch
}

func (sch *schema) kind(t typeRef) string {
	if t.Name != nil {
		return sch.byName[*t.Name].Kind
	}
	return t.Kind
}

// locations calls visit for every place a value goes in a value of type t: the value
// itself, each list's item, and each input object's fields, recursively.
func (sch *schema) locations(t typeRef, path []string, visit func(path []string, at typeRef)) {
	if len(path) > 8 {
		return
	}
	if t.Kind == "NON_NULL" {
		t = *t.OfType
	}
	visit(path, t)
	switch {
	case t.Kind == "LIST":
		sch.locations(*t.OfType, append(append([]string{}, path...), "[]"), visit)
	case sch.kind(t) == "INPUT_OBJECT":
		for _, f := range sch.byName[*t.Name].InputFields {
			sch.locations(f.Type, append(append([]string{}, path...), f.Name), visit)
		}
	}
}

// typeString writes t as a variable's type.
func typeString(t typeRef) string {
	switch t.Kind {
	case "NON_NULL":
		return typeString(*t.OfType) + "!"
	case "LIST":
		return "[" + typeString(*t.OfType) + "]"
	}
	return *t.Name
}

// baseline makes valid values for the arguments and fields not under attack.
type baseline struct {
	schema *schema
	// ids are the IDs to use, by argument or field name, or by coordinate for a plain "id".
	ids    map[string]string
	origin string
}

func (b *baseline) value(coord, name string, t typeRef) any {
	if t.Kind == "NON_NULL" {
		t = *t.OfType
	}
	if t.Kind == "LIST" {
		item := b.value(coord, strings.TrimSuffix(name, "s"), *t.OfType)
		return []any{item}
	}
	switch *t.Name {
	case "ID":
		if id, ok := b.ids[coord]; ok {
			return id
		}
		if id, ok := b.ids[name]; ok {
			return id
		}
		return "00000000-0000-0000-0000-000000000000"
	case "String":
		switch name {
		case "url", "storyURL":
			return b.origin + "/hostile"
		case "email":
			return "hostile@example.org"
		case "password":
			return "correct horse battery"
		case "allowedOrigin":
			return "https://hostile.example.org"
		}
		return "plain"
	case "Int":
		if name == "durationSeconds" {
			return 3600
		}
		return 1
	case "Float":
		return 0.5
	case "Boolean":
		return false
	}
	def := b.schema.byName[*t.Name]
	switch def.Kind {
	case "ENUM":
		return def.EnumValues[0].Name
	case "INPUT_OBJECT":
		// Required fields, and optional enums too: what an input's other fields mean can
		// depend on them (a rejection's note is read only with its reason).
		obj := map[string]any{}
		for _, f := range def.InputFields {
			if f.Type.Kind == "NON_NULL" && f.DefaultValue == nil || f.Type.Kind != "NON_NULL" && b.schema.kind(f.Type) == "ENUM" {
				obj[f.Name] = b.value(def.Name+"."+f.Name, f.Name, f.Type)
			}
		}
		return obj
	}
	return nil
}

// sentinel marks where the hostile value goes in a marshalled body.
const sentinel = "\u0001hostile\u0001"

// with returns a baseline value of type t with the sentinel at path.
func (b *baseline) with(coord, name string, t typeRef, path []string) any {
	if len(path) == 0 {
		return sentinel
	}
	if t.Kind == "NON_NULL" {
		t = *t.OfType
	}
	if path[0] == "[]" {
		return []any{b.with(coord, name, *t.OfType, path[1:])}
	}
	def := b.schema.byName[*t.Name]
	obj, _ := b.value(coord, name, t).(map[string]any)
	for _, f := range def.InputFields {
		if f.Name == path[0] {
			obj[f.Name] = b.with(def.Name+"."+f.Name, f.Name, f.Type, path[1:])
		}
	}
	return obj
}

// request writes the body of one request: field f of type on, reached by route, with the
// hostile value h at path inside argument target and valid values in every other required
// argument.
func (b *baseline) request(on, route string, f schemaField, target string, path []string, h hostile, enums map[string]string) []byte {
	var defs, args []string
	vars := map[string]any{}
	for _, a := range f.Args {
		coord := on + "." + f.Name + "." + a.Name
		switch {
		case enums[a.Name] != "":
			args = append(args, a.Name+": "+enums[a.Name])
		case a.Name == target && h.literal && len(path) == 0:
			args = append(args, a.Name+": "+h.raw)
		case a.Name == target:
			defs = append(defs, "$"+a.Name+": "+typeString(a.Type))
			args = append(args, a.Name+": $"+a.Name)
			vars[a.Name] = b.with(coord, a.Name, a.Type, path)
		case a.Type.Kind == "NON_NULL" && a.DefaultValue == nil:
			defs = append(defs, "$"+a.Name+": "+typeString(a.Type))
			args = append(args, a.Name+": $"+a.Name)
			vars[a.Name] = b.value(coord, a.Name, a.Type)
		}
	}
	sel := ""
	if k := b.schema.kind(unwrapNamed(f.Type)); k == "OBJECT" || k == "INTERFACE" || k == "UNION" {
		sel = " { __typename }"
	}
	op := "query"
	if on == b.schema.MutationType.Name {
		op = "mutation"
	}
	call := f.Name + "(" + strings.Join(args, ", ") + ")" + sel
	if route != "" {
		call = route + " { " + call + strings.Repeat(" }", strings.Count(route, "{")+1)
	}
	vardefs := ""
	if len(defs) > 0 {
		vardefs = "(" + strings.Join(defs, ", ") + ")"
	}
	body, err := json.Marshal(map[string]any{"query": op + vardefs + " { " + call + " }", "variables": vars})
	if err != nil {
		panic(err)
	}
	marker, _ := json.Marshal(sentinel)
	return bytes.Replace(body, marker, []byte(h.raw), 1)
}

func unwrapNamed(t typeRef) typeRef {
	for t.Name == nil && t.OfType != nil {
		t = *t.OfType
	}
	return t
}

package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/pagecache"
)

var _ pagecache.Overlay = (*Overlay)(nil)

// Overlay lets the read cache answer a signed-in reader's story page from the page cached for
// everyone (it implements pagecache.Overlay). Of what such a page asks for, only
// viewerReacted differs between a reader and an anonymous one, unless the reader has a
// pending, rejected or deleted comment on the story (they read it whole, with the
// placeholders above it) or moderates its site (they read placeholders whole): those readers,
// and admins, read uncached, as does any request that asks for a field outside overlayFields.
type Overlay struct {
	state parley.ViewerStateService
	// queries resolves a persisted query's hash to its text, so that a hash-only read is
	// planned like any other; nil plans hash-only reads as uncached.
	queries *PersistedQueries

	plans plans

	mu sync.Mutex
	// gens counts, for viewers who wrote through this replica, the generation under which
	// their kept states are valid (floor for everyone else); gen is the last one given.
	gens       map[string]uint64
	gen, floor uint64
}

// NewOverlay returns the overlay, which looks viewers up in state.
func NewOverlay(state parley.ViewerStateService) *Overlay {
	return &Overlay{state: state, gens: map[string]uint64{}}
}

// UsePersistedQueries lets the overlay plan reads that name their query by its persisted
// hash only (a GET of the APQ protocol), as the handler that runs them does. Call it before
// serving.
func (o *Overlay) UsePersistedQueries(p *PersistedQueries) { o.queries = p }

// overlayFields are the fields, by type, whose answers are the same for every reader without
// hidden comments on the story who does not moderate it, except ReactionCount.viewerReacted,
// which Personalize patches. A field added to the schema is read uncached until it is added
// here. Query.comment is the widget's page of replies; a comment an anonymous reader does not
// find answers NOT_FOUND, which the cache does not keep, so its readers read uncached.
var overlayFields = map[string]map[string]bool{
	"Query": {"story": true, "comment": true},
	"Story": {"id": true, "url": true, "title": true, "closed": true, "commentCount": true, "createdAt": true, "comments": true,
		"site": true},
	// What the widget's first request reads of the story's site: its public settings.
	"Site": {"id": true, "settings": true},
	"SiteSettings": {"editWindowSeconds": true, "maxDepth": true, "commentingDisabled": true, "closedMessage": true,
		"reactionKinds": true, "minCommentLength": true, "maxCommentLength": true},
	"ReactionKind":      {"kind": true, "label": true, "icon": true},
	"CommentConnection": {"edges": true, "pageInfo": true},
	"CommentEdge":       {"cursor": true, "node": true},
	"PageInfo":          {"hasNextPage": true, "endCursor": true},
	"Comment":           commentPageFields,
	"User":              {"id": true, "username": true, "role": true},
	"ReactionCount":     {"kind": true, "count": true, "viewerReacted": true},
}

// Plan implements pagecache.Overlay: a signed-in read that asks only for overlayFields,
// without aliases or directives, and names the comment's id and the reaction's kind wherever
// it asks for viewerReacted (so the answer can be patched), may be served from the cache.
func (o *Overlay) Plan(r *http.Request, body []byte) bool {
	u := parley.UserFromContext(r.Context())
	if u == nil || u.Admin {
		return false
	}
	var req struct {
		Query         string `json:"query"`
		OperationName string `json:"operationName"`
		Extensions    struct {
			PersistedQuery struct {
				Hash string `json:"sha256Hash"`
			} `json:"persistedQuery"`
		} `json:"extensions"`
	}
	if json.Unmarshal(body, &req) != nil {
		return false
	}
	if h := req.Extensions.PersistedQuery.Hash; req.Query == "" && h != "" {
		q, ok := o.queries.Lookup(r.Context(), strings.ToLower(h))
		if !ok {
			return false // the handler will ask for the query; its answer is not kept
		}
		req.Query = q
	}
	return o.plans.get(req.OperationName, req.Query, func() bool { return plannable(req.Query, req.OperationName) })
}

// plannable reports whether the operation reads only what Personalize can make.
func plannable(query, operation string) bool {
	doc, errs := gqlparser.LoadQuery(parsedSchema, query)
	if len(errs) > 0 {
		return false
	}
	var op *ast.OperationDefinition
	for _, d := range doc.Operations {
		if d.Name == operation || (operation == "" && len(doc.Operations) == 1) {
			op = d
		}
	}
	if op == nil || op.Operation != ast.Query || len(op.Directives) > 0 {
		return false
	}
	return plannableSet(op.SelectionSet)
}

// plannableSet checks one selection set and everything below it.
func plannableSet(set ast.SelectionSet) bool {
	fields, ok := flatten(set, nil)
	if !ok {
		return false
	}
	for _, f := range fields {
		if f.Name == "__typename" {
			continue
		}
		if f.Definition == nil || f.ObjectDefinition == nil || !overlayFields[f.ObjectDefinition.Name][f.Name] {
			return false
		}
		if f.ObjectDefinition.Name == "Comment" && f.Name == "reactions" && !patchable(fields, f) {
			return false
		}
		if !plannableSet(f.SelectionSet) {
			return false
		}
	}
	return true
}

// patchable reports whether a comment's reactions field can have viewerReacted patched: the
// comment's id and each reaction's kind are in the answer, under their own names.
func patchable(comment []*ast.Field, reactions *ast.Field) bool {
	sub, ok := flatten(reactions.SelectionSet, nil)
	if !ok || !has(sub, "viewerReacted") {
		return ok
	}
	return has(sub, "kind") && has(comment, "id")
}

func has(fields []*ast.Field, name string) bool {
	for _, f := range fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// flatten lists the fields of a selection set through its fragments; an alias or a directive
// anywhere makes it unplannable (the answer's names and shape would depend on them).
func flatten(set ast.SelectionSet, out []*ast.Field) ([]*ast.Field, bool) {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if (s.Alias != "" && s.Alias != s.Name) || len(s.Directives) > 0 {
				return nil, false
			}
			out = append(out, s)
		case *ast.FragmentSpread:
			if len(s.Directives) > 0 || s.Definition == nil {
				return nil, false
			}
			var ok bool
			if out, ok = flatten(s.Definition.SelectionSet, out); !ok {
				return nil, false
			}
		case *ast.InlineFragment:
			if len(s.Directives) > 0 {
				return nil, false
			}
			var ok bool
			if out, ok = flatten(s.SelectionSet, out); !ok {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return out, true
}

// Anonymous implements pagecache.Overlay.
func (o *Overlay) Anonymous(r *http.Request) context.Context {
	return parley.NewContextWithUser(r.Context(), nil)
}

// Personalize implements pagecache.Overlay: it looks the viewer up once per kept answer, over
// the answer's stories and the comments whose reactions it shows, and sets viewerReacted on
// their own reactions.
//
// What it looks up is kept with the answer (answerMemo), so a reader who reads the same page
// again costs no database round trip. That is as current as the answer itself: every event
// about the answer's stories or sites (a reaction, a comment held, deleted or moderated, a
// role given on the site) ends the answer and what was kept with it, and a refresh makes a new
// answer that looks viewers up again. A viewer's own mutation through this replica forgets
// their state at once (Overlay.Forget), so they read their writes here before the event is
// back.
func (o *Overlay) Personalize(r *http.Request, body []byte, anonymous pagecache.Answer) ([][]byte, bool, error) {
	memo := anonymous.Memo(func() any { return &answerMemo{marks: findReactions(anonymous.Body)} }).(*answerMemo)
	marks := memo.marks
	if marks == nil {
		return nil, false, nil
	}
	u := parley.UserFromContext(r.Context())
	if u == nil {
		return nil, false, nil
	}
	gen := o.generation(u.ID)
	st := memo.get(u.ID, gen)
	if st == nil {
		var err error
		if st, err = o.state.ViewerState(r.Context(), anonymous.Sources, marks.comments); err != nil {
			return nil, false, err
		}
		memo.put(u.ID, gen, st)
	}
	if st.Hidden || st.Moderates {
		return nil, false, nil
	}
	var at []int
	for _, m := range marks.marks {
		for _, kind := range st.Reacted[m.comment] {
			if kind == m.kind {
				at = append(at, m.at)
			}
		}
	}
	if len(at) == 0 {
		return [][]byte{anonymous.Body}, true, nil
	}
	return patchFalse(anonymous.Body, at), true, nil
}

// maxForgotten bounds the viewers whose generation the overlay remembers.
const maxForgotten = 100_000

// maxViewersPerAnswer bounds the viewers' states kept with one answer; past it, viewers are
// looked up on every read until the answer is replaced.
const maxViewersPerAnswer = 4096

// answerMemo is what the overlay keeps with one anonymous answer: where its viewerReacted
// fields are, and the state of the viewers who read it.
type answerMemo struct {
	marks *reactionMarks

	mu      sync.Mutex
	viewers map[string]keptState
}

type keptState struct {
	gen uint64
	st  *parley.ViewerState
}

func (m *answerMemo) get(userID string, gen uint64) *parley.ViewerState {
	m.mu.Lock()
	defer m.mu.Unlock()
	if k, ok := m.viewers[userID]; ok && k.gen == gen {
		return k.st
	}
	return nil
}

func (m *answerMemo) put(userID string, gen uint64, st *parley.ViewerState) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.viewers == nil {
		m.viewers = map[string]keptState{}
	}
	if len(m.viewers) < maxViewersPerAnswer {
		m.viewers[userID] = keptState{gen: gen, st: st}
	}
}

// Forget makes the overlay look the viewer in ctx up again on their next read of every page:
// the GraphQL handler calls it after each of their mutations, so what they just did (a
// reaction, a held comment) shows to them on this replica before its event arrives.
func (o *Overlay) Forget(ctx context.Context) {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.gen++
	if len(o.gens) >= maxForgotten {
		// Every viewer starts again at a generation newer than any state kept so far.
		clear(o.gens)
		o.floor = o.gen
		o.gen++
	}
	o.gens[u.ID] = o.gen
}

// generation is the viewer's count of forgettings, under which their kept states are valid.
func (o *Overlay) generation(userID string) uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if g, ok := o.gens[userID]; ok {
		return g
	}
	return o.floor
}

// patchFalse returns b as pieces with the JSON false at each offset (in order) made true: the
// pieces share b's memory, so a viewer's answer costs no copy of the page.
func patchFalse(b []byte, at []int) [][]byte {
	out := make([][]byte, 0, 2*len(at)+1)
	last := 0
	slices.Sort(at)
	for _, i := range at {
		out = append(out, b[last:i:i], trueJSON)
		last = i + len("false")
	}
	return append(out, b[last:])
}

// trueJSON is the piece a patch puts in place of a false; it is never written to.
var trueJSON = []byte("true")

// reactionMarks are the places in an answer where viewerReacted is false, with the comment
// and the kind each belongs to, and the comments they are on.
type reactionMarks struct {
	marks    []reactionMark
	comments []string
}

type reactionMark struct {
	comment, kind string
	at            int // offset of the false
}

// findReactions reads an answer for its viewerReacted fields; nil when it cannot be read or
// one of them cannot be placed (it then is served uncached).
func findReactions(b []byte) *reactionMarks {
	out := &reactionMarks{}
	if !bytes.Contains(b, []byte(`"viewerReacted"`)) {
		return out
	}
	w := &reactionWalker{dec: json.NewDecoder(bytes.NewReader(b)), out: out, seen: map[string]bool{}}
	tok, err := w.dec.Token()
	if err != nil || w.value(tok) != nil {
		return nil
	}
	return out
}

type reactionWalker struct {
	dec  *json.Decoder
	out  *reactionMarks
	seen map[string]bool
}

var errUnplaced = parley.Errorf(parley.EINTERNAL, "graph: a viewerReacted outside a comment's reactions")

// value reads the value that begins with tok.
func (w *reactionWalker) value(tok json.Token) error {
	switch tok {
	case json.Delim('{'):
		return w.object()
	case json.Delim('['):
		for w.dec.More() {
			t, err := w.dec.Token()
			if err != nil {
				return err
			}
			if err := w.value(t); err != nil {
				return err
			}
		}
		_, err := w.dec.Token()
		return err
	}
	return nil
}

// object reads an object's members after its '{': a comment's id and its reactions' kinds
// and false viewerReacted are noted; a viewerReacted anywhere else is an error.
func (w *reactionWalker) object() error {
	var id string
	var pending []reactionMark
	for w.dec.More() {
		k, err := w.dec.Token()
		if err != nil {
			return err
		}
		t, err := w.dec.Token()
		if err != nil {
			return err
		}
		switch k {
		case "id":
			id, _ = t.(string)
		case "reactions":
			if t != json.Delim('[') {
				if err := w.value(t); err != nil {
					return err
				}
				continue
			}
			if pending, err = w.reactions(); err != nil {
				return err
			}
			continue
		case "viewerReacted":
			return errUnplaced
		}
		if err := w.value(t); err != nil {
			return err
		}
	}
	if _, err := w.dec.Token(); err != nil {
		return err
	}
	if len(pending) > 0 {
		if id == "" {
			return errUnplaced
		}
		for _, m := range pending {
			m.comment = id
			w.out.marks = append(w.out.marks, m)
		}
		if !w.seen[id] {
			w.seen[id] = true
			w.out.comments = append(w.out.comments, id)
		}
	}
	return nil
}

// reactions reads a comment's reactions after the '[' and returns where viewerReacted is
// false, by kind.
func (w *reactionWalker) reactions() ([]reactionMark, error) {
	var out []reactionMark
	for w.dec.More() {
		t, err := w.dec.Token()
		if err != nil {
			return nil, err
		}
		if t != json.Delim('{') {
			if err := w.value(t); err != nil {
				return nil, err
			}
			continue
		}
		m := reactionMark{at: -1}
		for w.dec.More() {
			k, err := w.dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := w.dec.Token()
			if err != nil {
				return nil, err
			}
			switch k {
			case "kind":
				m.kind, _ = v.(string)
			case "viewerReacted":
				if v == false {
					m.at = int(w.dec.InputOffset()) - len("false")
				}
			}
			if err := w.value(v); err != nil {
				return nil, err
			}
		}
		if _, err := w.dec.Token(); err != nil {
			return nil, err
		}
		if m.at >= 0 {
			if m.kind == "" {
				return nil, errUnplaced
			}
			out = append(out, m)
		}
	}
	_, err := w.dec.Token()
	return out, err
}

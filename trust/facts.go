package trust

import (
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation/wordlist"
)

// Facts are what rules see of one comment: the submission, the flags earlier stages raised
// and the author's signals. It resolves rule variables lazily, so a rule set that never
// reads the normalised text does not pay for normalising it.
type Facts struct {
	Sub *parley.Submission
	// Flags are the reason codes raised by earlier stages.
	Flags []string
	// Signals are the author's signals; nil reads as zero counts.
	Signals *parley.TrustSignals
	// Now is when the comment is judged (its creation time in a back-test).
	Now  time.Time
	text *string
	// resolved keeps each value once made, so twenty rules reading author.level box it
	// once; have marks the slots filled.
	resolved [64]any
	have     uint64
}

// fieldIndex numbers the fields for Facts.resolved.
var fieldIndex = func() map[string]int {
	names := make([]string, 0, len(Fields))
	for name := range Fields {
		names = append(names, name)
	}
	sort.Strings(names)
	idx := make(map[string]int, len(names))
	for i, name := range names {
		idx[name] = i
	}
	return idx
}()

var _ interpreter.Activation = (*Facts)(nil)

// Parent implements interpreter.Activation.
func (f *Facts) Parent() interpreter.Activation { return nil }

// ResolveName implements interpreter.Activation: it answers every name of Fields.
func (f *Facts) ResolveName(name string) (any, bool) {
	i, ok := fieldIndex[name]
	if !ok {
		return nil, false
	}
	if f.have&(1<<i) != 0 {
		return f.resolved[i], true
	}
	v, ok := f.resolve(name)
	if ok {
		f.resolved[i], f.have = v, f.have|1<<i
	}
	return v, ok
}

func (f *Facts) resolve(name string) (any, bool) {
	c := f.Sub.Comment
	sig := f.Signals
	if sig == nil {
		sig = &parley.TrustSignals{}
	}
	switch name {
	case "comment.length":
		return types.Int(utf8.RuneCountInString(c.BodySource)), true
	case "comment.links":
		return types.Int(strings.Count(c.Body, "<a ")), true
	case "comment.text":
		if f.text == nil {
			t := wordlist.Normalize(c.BodySource)
			f.text = &t
		}
		return types.String(*f.text), true
	case "comment.depth":
		return types.Int(c.Depth), true
	case "comment.isReply":
		return types.Bool(c.ParentID != ""), true
	case "comment.isEdit":
		return types.Bool(f.Sub.Action == parley.ActionEdit), true
	case "comment.flags":
		flags := f.Flags
		if flags == nil {
			flags = []string{}
		}
		return types.NewStringList(types.DefaultTypeAdapter, flags), true
	case "author.level":
		return types.Int(f.Sub.History.TrustLevel), true
	case "author.role":
		return types.String(f.Sub.Role), true
	case "author.accountAgeDays":
		if f.Sub.Author != nil && !f.Sub.Author.CreatedAt.IsZero() {
			return types.Int(f.Now.Sub(f.Sub.Author.CreatedAt) / (24 * time.Hour)), true
		}
		return types.Int(sig.AccountAge / (24 * time.Hour)), true
	case "author.daysVisited":
		return types.Int(sig.DaysVisited), true
	case "author.commentsPublished":
		return types.Int(sig.CommentsPublished), true
	case "author.rejected":
		return types.Int(sig.RejectedTotal()), true
	case "author.reportsAgainstUpheld":
		return types.Int(sig.ReportsAgainstUpheld), true
	case "author.reportsFiledUpheld":
		return types.Int(sig.ReportsFiledUpheld), true
	case "author.reportsFiledDismissed":
		return types.Int(sig.ReportsFiledDismissed), true
	case "author.reactionsReceived":
		return types.Int(sig.ReactionsFromDistinctUsers), true
	case "author.activeSanctions":
		return types.Int(sig.ActiveSanctions), true
	case "author.pastSanctions":
		return types.Int(sig.PastSanctions), true
	case "story.url", "story.title", "story.closed", "story.ageDays":
		return f.story(name), true
	case "site.id":
		return types.String(c.SiteID), true
	}
	return nil, false
}

func (f *Facts) story(name string) ref.Val {
	s := f.Sub.Story
	if s == nil {
		s = &parley.Story{}
	}
	switch name {
	case "story.url":
		return types.String(s.URL)
	case "story.title":
		return types.String(s.Title)
	case "story.closed":
		return types.Bool(s.Closed)
	}
	if s.CreatedAt.IsZero() {
		return types.Int(0)
	}
	return types.Int(f.Now.Sub(s.CreatedAt) / (24 * time.Hour))
}

// withinEstimate reports whether the comment is within the sizes the static cost estimate
// assumed, so that a rule accepted under the limit cannot exceed it. Normalisation can
// lengthen a text (a ligature becomes two letters), hence the margin.
func (f *Facts) withinEstimate() bool {
	if len(f.Flags) > estimatedFlags || len(f.Sub.Comment.BodySource) > estimatedTextSize/2 {
		return false
	}
	if s := f.Sub.Story; s != nil && (len(s.URL) > estimatedURLSize || len(s.Title) > estimatedTextSize) {
		return false
	}
	return len(f.Sub.Role) <= estimatedURLSize
}

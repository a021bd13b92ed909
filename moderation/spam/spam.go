// Package spam is a spam classifier that learns from a community's own moderators: every
// approval teaches it what the site's good comments look like, every rejection as spam what
// spam looks like. It is a naive Bayes model over word and link tokens, one per site.
package spam

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"unicode"

	"github.com/parleyhq/parley"
)

// Classifier scores comments and learns from decisions.
type Classifier struct {
	store parley.SpamStore
	// MinDocs is how many documents each class needs before the classifier decides.
	MinDocs int
	// Hold is the spam probability from which it holds a comment for review. Reject, when
	// above zero, is the one from which it rejects outright; it is off by default because
	// naive Bayes is overconfident: on the SpamAssassin corpus a threshold of 0.995 still
	// rejected 5% of good messages (see make eval-spam).
	Hold, Reject float64
}

// New returns a classifier that holds likely spam for a person and rejects nothing itself.
func New(store parley.SpamStore) *Classifier {
	return &Classifier{store: store, MinDocs: 20, Hold: 0.9}
}

// maxTokens bounds the tokens of one comment; the longest comments gain nothing past it.
const maxTokens = 400

// Tokens returns a comment's distinct tokens: lowercased words of 2 to 30 letters or digits,
// and "link:<host>" for each link, since the sites spam points to say most about it.
func Tokens(source string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		if !seen[t] && len(out) < maxTokens {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, field := range strings.Fields(source) {
		if i := strings.Index(field, "http"); i >= 0 {
			if u, err := url.Parse(strings.Trim(field[i:], "()[]<>.,;!?\"'")); err == nil && u.Host != "" {
				add("link:" + strings.TrimPrefix(strings.ToLower(u.Hostname()), "www."))
				continue
			}
		}
		for _, w := range strings.FieldsFunc(strings.ToLower(field), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if n := len([]rune(w)); n >= 2 && n <= 30 {
				add(w)
			}
		}
	}
	return out
}

// minTokenCount is how many times a token must have been seen to count as evidence.
const minTokenCount = 3

// interesting is how many of a comment's most telling tokens decide its score.
const interesting = 20

// Score returns the probability that source is spam on a site, and the tokens that weighed
// most; ok is false while the model has too few documents to judge.
func (c *Classifier) Score(ctx context.Context, siteID, source string) (p float64, evidence []string, ok bool, err error) {
	tokens := Tokens(source)
	docs, counts, err := c.store.Model(ctx, siteID, tokens)
	if err != nil {
		return 0, nil, false, err
	}
	if docs.Spam < c.MinDocs || docs.Ham < c.MinDocs {
		return 0, nil, false, nil
	}
	type weighed struct {
		token string
		p     float64
	}
	var ws []weighed
	for _, t := range tokens {
		n, seen := counts[t]
		if !seen || n.Spam+n.Ham < minTokenCount {
			continue
		}
		// Per-class frequencies with add-one smoothing, so a token seen once in one class is
		// not taken as proof, and bounded, so no single token is certain.
		fs := float64(n.Spam+1) / float64(docs.Spam+2)
		fh := float64(n.Ham+1) / float64(docs.Ham+2)
		ws = append(ws, weighed{t, min(max(fs/(fs+fh), 0.01), 0.99)})
	}
	sort.Slice(ws, func(i, j int) bool { return math.Abs(ws[i].p-0.5) > math.Abs(ws[j].p-0.5) })
	if len(ws) > interesting {
		ws = ws[:interesting]
	}
	// Combine in log space: log-odds of the prior plus each token's log-odds.
	logOdds := math.Log(float64(docs.Spam) / float64(docs.Ham))
	for _, w := range ws {
		logOdds += math.Log(w.p / (1 - w.p))
		if len(evidence) < 5 {
			evidence = append(evidence, fmt.Sprintf("%s (%.2f)", w.token, w.p))
		}
	}
	return 1 / (1 + math.Exp(-logOdds)), evidence, true, nil
}

// Learn trains the site's model with a moderator's decision on a comment.
func (c *Classifier) Learn(ctx context.Context, siteID, source string, spam bool) error {
	tokens := Tokens(source)
	if len(tokens) == 0 {
		return nil
	}
	return c.store.Train(ctx, siteID, tokens, spam)
}

// Flag is the reason code of the classifier's verdicts.
const Flag = "SPAM"

// Stage returns the classifier as a pipeline stage named "spam".
func (c *Classifier) Stage() stage { return stage{c} }

type stage struct{ c *Classifier }

func (stage) Name() string { return "spam" }

func (s stage) Check(ctx context.Context, sub *parley.Submission) (parley.Verdict, error) {
	learning := parley.Verdict{Decision: parley.DecisionPass, Evidence: "Still learning from this site's moderators."}
	// A model the draft showed still learning is not read: most sites never train one.
	if f := sub.Site; f != nil && (f.SpamDocs.Spam < s.c.MinDocs || f.SpamDocs.Ham < s.c.MinDocs) {
		return learning, nil
	}
	p, evidence, ok, err := s.c.Score(ctx, sub.Comment.SiteID, sub.Comment.BodySource)
	if err != nil || !ok {
		return learning, err
	}
	v := parley.Verdict{Decision: parley.DecisionPass, Score: p, Version: "naive-bayes-1",
		Evidence: fmt.Sprintf("Spam probability %.3f; telling words: %s.", p, strings.Join(evidence, ", "))}
	switch {
	case s.c.Reject > 0 && p >= s.c.Reject:
		v.Decision, v.Flags = parley.DecisionReject, []string{Flag}
	case p >= s.c.Hold:
		v.Decision, v.Flags = parley.DecisionHold, []string{Flag}
	}
	return v, nil
}

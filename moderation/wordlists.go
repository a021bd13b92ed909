package moderation

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation/wordlist"
)

// WordListStore is the storage the word-list service and stage need; postgres.WordListStore
// implements it.
type WordListStore interface {
	SaveWordList(ctx context.Context, l *parley.WordList) (*parley.WordList, error)
	FindWordLists(ctx context.Context, siteID string) ([]*parley.WordList, error)
	WordListTerms(ctx context.Context, siteID string, kind parley.WordListKind) (terms, version string, err error)
}

// WordLists keeps the sites' word lists (parley.WordListService) and matches comments
// against them as the pipeline stage "word_list". Compiled lists are cached by version, and
// the current versions come with the site's settings, so a comment costs no query and one
// linear pass per list.
type WordLists struct {
	store WordListStore

	mu    sync.Mutex
	cache map[string]*wordlist.List // by site, kind and version
}

// NewWordLists returns the service and stage on store.
func NewWordLists(store WordListStore) *WordLists {
	return &WordLists{store: store, cache: map[string]*wordlist.List{}}
}

var _ parley.WordListService = (*WordLists)(nil)

// maxCachedLists bounds the cache; past it, it starts over.
const maxCachedLists = 2048

// SetWordList validates and compiles a list before storing it, so a list that would not
// compile is refused with the line at fault and never reaches the pipeline.
func (w *WordLists) SetWordList(ctx context.Context, siteID string, kind parley.WordListKind, terms string) (*parley.WordList, error) {
	if !kind.Valid() {
		return nil, parley.FieldErrorf("kind", "A word list is BANNED or SUSPECT.")
	}
	if len(terms) > parley.MaxWordListBytes {
		return nil, parley.FieldErrorf("terms", "A word list is at most %d bytes.", parley.MaxWordListBytes)
	}
	list, err := wordlist.Parse(strings.NewReader(terms))
	if err != nil {
		return nil, err
	}
	saved, err := w.store.SaveWordList(ctx, &parley.WordList{SiteID: siteID, Kind: kind, Terms: terms, TermCount: list.Len(), Version: list.Version()})
	if err != nil {
		return nil, err
	}
	w.put(siteID, kind, list)
	return saved, nil
}

// FindWordLists returns a site's lists.
func (w *WordLists) FindWordLists(ctx context.Context, siteID string) ([]*parley.WordList, error) {
	return w.store.FindWordLists(ctx, siteID)
}

func cacheKey(siteID string, kind parley.WordListKind, version string) string {
	return siteID + "/" + string(kind) + "/" + version
}

func (w *WordLists) put(siteID string, kind parley.WordListKind, l *wordlist.List) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.cache) >= maxCachedLists {
		clear(w.cache)
	}
	w.cache[cacheKey(siteID, kind, l.Version())] = l
}

// list returns the compiled list of a kind at a version, compiling it on a cache miss.
func (w *WordLists) list(ctx context.Context, siteID string, kind parley.WordListKind, version string) (*wordlist.List, error) {
	w.mu.Lock()
	l := w.cache[cacheKey(siteID, kind, version)]
	w.mu.Unlock()
	if l != nil {
		return l, nil
	}
	terms, _, err := w.store.WordListTerms(ctx, siteID, kind)
	if err != nil {
		return nil, err
	}
	if l, err = wordlist.Parse(strings.NewReader(terms)); err != nil {
		return nil, err
	}
	w.put(siteID, kind, l)
	return l, nil
}

// Flags of the word-list stage.
const (
	FlagBannedWord  = "BANNED_WORD"
	FlagSuspectWord = "SUSPECT_WORD"
)

// Stage returns the word lists as the pipeline stage "word_list".
func (w *WordLists) Stage() Stage { return wordListStage{w} }

type wordListStage struct{ w *WordLists }

func (wordListStage) Name() string { return "word_list" }

// Check rejects a comment with a banned term and flags (or holds) one with a suspect term.
// It matches the source the author typed, so Markdown cannot hide a term inside markup.
func (s wordListStage) Check(ctx context.Context, sub *parley.Submission) (parley.Verdict, error) {
	versions := sub.Settings.WordListVersions
	if len(versions) == 0 {
		return pass, nil
	}
	text := sub.Comment.BodySource
	if v, ok := versions[parley.WordListBanned]; ok {
		l, err := s.w.list(ctx, sub.Comment.SiteID, parley.WordListBanned, v)
		if err != nil {
			return pass, err
		}
		if m := l.Match(text); len(m) > 0 {
			return parley.Verdict{Decision: parley.DecisionReject, Flags: []string{FlagBannedWord}, Version: v,
				Evidence: describe("banned", text, m)}, nil
		}
	}
	if v, ok := versions[parley.WordListSuspect]; ok {
		l, err := s.w.list(ctx, sub.Comment.SiteID, parley.WordListSuspect, v)
		if err != nil {
			return pass, err
		}
		if m := l.Match(text); len(m) > 0 {
			d := parley.DecisionPass
			if sub.Settings.HoldSuspectWords {
				d = parley.DecisionHold
			}
			return parley.Verdict{Decision: d, Flags: []string{FlagSuspectWord}, Version: v, Evidence: describe("suspect", text, m)}, nil
		}
	}
	return pass, nil
}

// describe names the terms found and how they were written, so a moderator sees an evasion.
func describe(kind, text string, ms []wordlist.Match) string {
	var parts []string
	for i, m := range ms {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(ms)-3))
			break
		}
		parts = append(parts, fmt.Sprintf("%q written %q", m.Term, text[m.Start:m.End]))
	}
	return fmt.Sprintf("Contains %s terms: %s.", kind, strings.Join(parts, ", "))
}

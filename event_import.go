package parley

import (
	"slices"
	"strings"
)

// Event kinds of imports and claims. An import writes no per-comment events: a
// 1,000,000-comment file would otherwise queue a million webhook deliveries, a million
// live pushes to pages nobody has open, and a million trust ledger rows. It tells consumers
// once, when it ends, what it changed: which stories got comments (caches drop, counts were
// recounted) and which authors got how many (trust counts them).
const (
	EventImportCompleted = "import.completed"
	EventCommentsClaimed = "user.comments_claimed"
)

// MaxEventEntries bounds the stories and authors one import.completed or
// user.comments_claimed event lists; a larger change is told in parts of this size, so an
// event stays well under the bus's message limit (about 60 KB a part).
const MaxEventEntries = 1000

// StoryComments is how many comments one story got.
type StoryComments struct {
	StoryID  string `json:"storyID"`
	Comments int    `json:"comments"`
}

// AuthorComments is how many of an author's comments an import wrote, by the status that
// counts for trust.
type AuthorComments struct {
	UserID    string `json:"userID"`
	Published int    `json:"published"`
	Rejected  int    `json:"rejected"`
}

// ImportCompleted is an import that wrote something, on the event's site. A large import is
// told in Parts events sharing its ImportID, each listing up to MaxEventEntries stories and
// authors; the totals are the run's and are repeated in every part.
type ImportCompleted struct {
	ImportID   string           `json:"importID"`
	Source     string           `json:"source"`
	Part       int              `json:"part"`
	Parts      int              `json:"parts"`
	Imported   int              `json:"imported"`
	Duplicates int              `json:"duplicates"`
	Reactions  int              `json:"reactions"`
	Skipped    int              `json:"skipped"`
	Stories    []StoryComments  `json:"stories"`
	Authors    []AuthorComments `json:"authors"`
}

// Kind implements EventPayload.
func (ImportCompleted) Kind() string { return EventImportCompleted }

// CommentsClaimed is a reader who took, by their verified address, comments left on the
// event's site under that address: by an imported, unclaimed author or as a guest. Their
// comments are now the reader's; Published and Rejected count them as trust does.
type CommentsClaimed struct {
	UserID    string          `json:"userID"`
	Comments  int             `json:"comments"`
	Published int             `json:"published"`
	Rejected  int             `json:"rejected"`
	Stories   []StoryComments `json:"stories"`
}

// Kind implements EventPayload.
func (CommentsClaimed) Kind() string { return EventCommentsClaimed }

// ImportCompletedParts splits what a run wrote into its import.completed events, stories
// and authors in a stable order.
func ImportCompletedParts(importID, source string, done ImportDone) []ImportCompleted {
	stories := make([]StoryComments, 0, len(done.Stories))
	for id, n := range done.Stories {
		stories = append(stories, StoryComments{StoryID: id, Comments: n})
	}
	slices.SortFunc(stories, func(a, b StoryComments) int { return strings.Compare(a.StoryID, b.StoryID) })
	authors := make([]AuthorComments, 0, len(done.Authors))
	for _, a := range done.Authors {
		authors = append(authors, a)
	}
	slices.SortFunc(authors, func(a, b AuthorComments) int { return strings.Compare(a.UserID, b.UserID) })
	parts := max(1, (len(stories)+MaxEventEntries-1)/MaxEventEntries, (len(authors)+MaxEventEntries-1)/MaxEventEntries)
	out := make([]ImportCompleted, parts)
	for i := range out {
		out[i] = ImportCompleted{ImportID: importID, Source: source, Part: i + 1, Parts: parts, Imported: done.Imported,
			Duplicates: done.Duplicates, Reactions: done.Reactions, Skipped: done.Skipped,
			Stories: chunk(stories, i), Authors: chunk(authors, i)}
	}
	return out
}

// chunk is the i-th slice of MaxEventEntries of s, never nil (so the JSON says []).
func chunk[T any](s []T, i int) []T {
	lo, hi := min(i*MaxEventEntries, len(s)), min((i+1)*MaxEventEntries, len(s))
	return append(make([]T, 0, hi-lo), s[lo:hi]...)
}

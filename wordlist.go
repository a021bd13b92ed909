package parley

import (
	"context"
	"time"
)

// WordListKind is what a site's word list does: BANNED terms reject a comment, SUSPECT terms
// flag it (and hold it when the site says so).
type WordListKind string

// Word list kinds.
const (
	WordListBanned  WordListKind = "BANNED"
	WordListSuspect WordListKind = "SUSPECT"
)

// Valid reports whether k is a known kind.
func (k WordListKind) Valid() bool { return k == WordListBanned || k == WordListSuspect }

// WordList is one of a site's lists: the terms as the moderators wrote them, one a line.
type WordList struct {
	SiteID    string
	Kind      WordListKind
	Terms     string
	TermCount int
	// Version identifies the normalised term set; the trail records it with each match.
	Version   string
	UpdatedAt time.Time
}

// MaxWordListBytes bounds a word list's text.
const MaxWordListBytes = 4 << 20

// WordListService keeps the sites' word lists; for each site's moderators.
type WordListService interface {
	SetWordList(ctx context.Context, siteID string, kind WordListKind, terms string) (*WordList, error)
	FindWordLists(ctx context.Context, siteID string) ([]*WordList, error)
}

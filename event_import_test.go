package parley_test

import (
	"fmt"
	"testing"

	"github.com/parleyhq/parley"
)

// TestImportCompletedParts: a large import is told in parts of bounded size that together
// list every story and author once.
func TestImportCompletedParts(t *testing.T) {
	done := parley.ImportDone{Imported: 9000, Stories: map[string]int{}, Authors: map[string]parley.AuthorComments{}}
	for i := range 2500 {
		done.Stories[fmt.Sprintf("s%04d", i)] = 3
	}
	for i := range 1200 {
		id := fmt.Sprintf("u%04d", i)
		done.Authors[id] = parley.AuthorComments{UserID: id, Published: 1}
	}
	parts := parley.ImportCompletedParts("i1", "disqus", done)
	stories, authors := map[string]bool{}, map[string]bool{}
	for i, p := range parts {
		if p.Part != i+1 || p.Parts != 3 || p.Imported != 9000 || len(p.Stories) > parley.MaxEventEntries || len(p.Authors) > parley.MaxEventEntries {
			t.Errorf("part %d: %d/%d with %d stories, %d authors", i, p.Part, p.Parts, len(p.Stories), len(p.Authors))
		}
		for _, s := range p.Stories {
			stories[s.StoryID] = true
		}
		for _, a := range p.Authors {
			authors[a.UserID] = true
		}
	}
	if len(parts) != 3 || len(stories) != 2500 || len(authors) != 1200 {
		t.Errorf("%d parts listing %d stories and %d authors, want 3, 2500, 1200", len(parts), len(stories), len(authors))
	}
	if one := parley.ImportCompletedParts("i2", "wxr", parley.ImportDone{Imported: 1}); len(one) != 1 || one[0].Stories == nil {
		t.Errorf("a small import's parts %+v, want one with empty lists", one)
	}
}

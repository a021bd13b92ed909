package parley

import "context"

// ViewerState is what a signed-in reader's view of some stories adds to what every reader
// sees, as far as a page read from a cache needs to know: whether anything of theirs reads
// differently (then the page is read for them alone), and which reactions are theirs.
type ViewerState struct {
	// Hidden tells whether the viewer wrote a comment on one of the stories that not every
	// reader sees whole: pending, rejected or deleted.
	Hidden bool
	// Moderates tells whether the viewer moderates the site of one of the stories (admins
	// moderate every site), and so reads placeholders whole and the moderators' fields.
	Moderates bool
	// Reacted holds, for each of the comments asked about that the viewer reacted to, the
	// kinds they gave.
	Reacted map[string][]string
}

// ViewerStateService answers, in one indexed lookup, how a viewer's reading of some stories
// differs from an anonymous one's, so that a signed-in reader can be served from the answer
// cached for everyone.
type ViewerStateService interface {
	// ViewerState returns the state of the viewer in ctx over the stories (or the stories
	// of the sites) among ids, with their reactions among commentIDs. It answers
	// EUNAUTHENTICATED for an anonymous caller.
	ViewerState(ctx context.Context, ids, commentIDs []string) (*ViewerState, error)
}

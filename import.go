package parley

import (
	"context"
	"time"
)

// ImportThread is a discussion as another comment system exported it: it becomes the story
// of its URL on the site, made when the site has none.
type ImportThread struct {
	ExternalID string
	URL        string
	Title      string
	Closed     bool
	CreatedAt  time.Time
}

// ImportAuthor is a commenter as an export names them. Each becomes an account without a
// password (unclaimed); Email is kept beside it, never shown, so the reader can claim the
// account by verifying that address.
type ImportAuthor struct {
	// ExternalID identifies the author within the source: its user name or ID, or for an
	// anonymous commenter a key made from name and email.
	ExternalID string
	Name       string
	Email      string
}

// ImportComment is one comment ready to store: its body already sanitised, its thread
// resolved to a story. ParentID is the parent's ID in the source ("" for a top-level one).
type ImportComment struct {
	ExternalID string
	StoryID    string
	ParentID   string
	Author     ImportAuthor
	Body       string
	BodySource string
	Status     CommentStatus
	CreatedAt  time.Time
}

// ImportBatch is what storing a batch did.
type ImportBatch struct {
	// Imported were written; Duplicates were imported before (by this or an earlier run).
	Imported   int
	Duplicates int
	// Orphans are the external IDs of comments not written because their parent is
	// neither imported nor earlier in the batch: the importer tries them again after a
	// later pass, and reports those whose parent never comes.
	Orphans []string
	// Stories counts, by story ID, the comments of the batch written to each.
	Stories map[string]int
	// Authors counts, by account ID, the published and rejected comments written.
	Authors map[string]AuthorComments
}

// ImportDone is what a whole run wrote, which FinishImport tells consumers.
type ImportDone struct {
	Imported, Duplicates, Reactions, Skipped int
	Stories                                  map[string]int
	Authors                                  map[string]AuthorComments
}

// ImportReaction is a reader's reaction to an imported comment, by the comment's ID in the
// source; the reader becomes an unclaimed account like an author.
type ImportReaction struct {
	ExternalID string
	CommentID  string
	User       ImportAuthor
	Kind       string
	CreatedAt  time.Time
}

// ImportStore writes imported threads and comments. Every row it writes is keyed by (site,
// source, kind, external ID), so running an import twice adds nothing.
type ImportStore interface {
	// ImportThreads returns the story of each thread by its external ID, found by its key
	// or its URL, or made, in one transaction.
	ImportThreads(ctx context.Context, siteID, source string, threads []ImportThread) (map[string]string, error)
	// ImportComments writes a batch in one transaction: the authors' accounts, the
	// comments, their keys. A comment replying to one of the batch must come after it.
	ImportComments(ctx context.Context, siteID, source string, batch []ImportComment) (ImportBatch, error)
	// ImportReactions writes a batch of reactions in one transaction, with the reaction
	// counts of their comments. Orphans are the reactions whose comment is not imported.
	ImportReactions(ctx context.Context, siteID, source string, batch []ImportReaction) (ImportBatch, error)
	// FinishImport recounts replies and published comments of the stories the import wrote
	// to, which ImportComments leaves to it, then writes the run's import.completed events
	// (none when it wrote nothing).
	FinishImport(ctx context.Context, siteID, source string, done ImportDone) error
}

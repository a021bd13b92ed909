package parley

import "context"

// SpamCounts is how many documents, or how many documents with a token, a site's spam
// classifier learnt in each class.
type SpamCounts struct{ Spam, Ham int }

// SpamStore keeps each site's spam model: the counts a naive Bayes classifier (package
// moderation/spam) learns from the site's moderators.
type SpamStore interface {
	// Model returns the documents trained in each class and the counts of the given
	// tokens; tokens never seen are missing from the map.
	Model(ctx context.Context, siteID string, tokens []string) (docs SpamCounts, tokenCounts map[string]SpamCounts, err error)
	// Train adds one document's tokens to a class.
	Train(ctx context.Context, siteID string, tokens []string, spam bool) error
}

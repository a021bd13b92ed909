package parley

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Story is one discussion, usually an article on a host page.
type Story struct {
	ID     string
	SiteID string
	// URL is the canonical URL of the page that carries the discussion.
	URL    string
	Title  string
	Closed bool
	// Moderation overrides the site's pre-moderation for this story.
	Moderation   StoryModeration
	CommentCount int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// OpenSince is when the story opened: its creation, or a moderator's last reopening. The
	// site's AutoCloseAfterDays count from it (see ApplyAutoClose).
	OpenSince time.Time
	// ClosesAt is when the story closes by itself, nil when it does not.
	ClosesAt *time.Time
	// AutoClosed tells that Closed comes from the site's AutoCloseAfterDays, not a moderator.
	AutoClosed bool
}

// StoryUpdate changes a story; nil fields are left as they are.
type StoryUpdate struct {
	Title      *string
	Closed     *bool
	Moderation *StoryModeration
}

// StoryModeration is a story's own pre-moderation mode, for the stories that need more (or
// less) care than the rest of the site.
type StoryModeration string

// Story moderation modes.
const (
	// StoryModerationSite follows the site's settings.
	StoryModerationSite StoryModeration = "SITE"
	// StoryModerationPre holds every comment for review.
	StoryModerationPre StoryModeration = "PRE"
	// StoryModerationPreLinks holds comments with links.
	StoryModerationPreLinks StoryModeration = "PRE_LINKS"
	// StoryModerationPost publishes unless another stage decides: no pre-moderation, even
	// where the site has it.
	StoryModerationPost StoryModeration = "POST"
)

// Valid reports whether m is a known mode.
func (m StoryModeration) Valid() bool {
	switch m {
	case StoryModerationSite, StoryModerationPre, StoryModerationPreLinks, StoryModerationPost:
		return true
	}
	return false
}

// StoryService stores stories.
type StoryService interface {
	FindStoryByID(ctx context.Context, id string) (*Story, error)
	// FindStoryByURL finds the story at a URL, creating it on first use when the URL's
	// origin is allowed by a site; ENOTFOUND when no site allows it.
	FindStoryByURL(ctx context.Context, rawURL string) (*Story, error)
	// FindStoriesByIDs serves dataloaders.
	FindStoriesByIDs(ctx context.Context, ids []string) ([]*Story, error)
	// UpdateStory is for the site's moderators.
	UpdateStory(ctx context.Context, id string, upd StoryUpdate) (*Story, error)
	// FindStories returns a page of a site's stories, newest first; for the site's moderators.
	FindStories(ctx context.Context, f StoryFilter) (*StoryPage, error)
	// StoryCounts answers, for each URL in the order given, its story and published-comment
	// count, in one query. It is public and never creates a story: an unknown URL, or one
	// that is not an http(s) URL, counts 0 with no story.
	StoryCounts(ctx context.Context, urls []string) ([]*StoryCount, error)
}

// StoryFilter selects a page of one site's stories, newest first (created_at, then ID).
type StoryFilter struct {
	SiteID string
	// Query keeps the stories whose title or URL contains it, ignoring case; "" keeps all.
	Query string
	// Closed keeps only closed (true) or only open (false) stories; nil keeps both.
	Closed *bool
	First  int
	// After is a NEWEST-ordered cursor (see CursorForStory).
	After *Cursor
}

// MaxStoryQueryLength bounds StoryFilter.Query: a search box, not a document.
const MaxStoryQueryLength = 200

// Validate trims the query and checks the filter's bounds, with messages a moderator can act on.
func (f *StoryFilter) Validate() error {
	f.Query = strings.TrimSpace(f.Query)
	switch {
	case !utf8.ValidString(f.Query) || strings.ContainsRune(f.Query, 0):
		return FieldErrorf("query", "The search text is not valid text.")
	case utf8.RuneCountInString(f.Query) > MaxStoryQueryLength:
		return FieldErrorf("query", "The search text must be at most %d characters.", MaxStoryQueryLength)
	case f.First < 1 || f.First > MaxPageSize:
		return FieldErrorf("first", "first must be between 1 and %d.", MaxPageSize)
	}
	return nil
}

// StoryPage is one page of a story connection.
type StoryPage struct {
	Stories     []*Story
	HasNextPage bool
}

// StoryCount is what a host page's comment-count script needs about one link: the story at
// the URL, if there is one, and its published-comment count (Story.CommentCount, or 0).
type StoryCount struct {
	// URL is the URL as the caller gave it, so the script can match the answer to its link.
	URL   string
	Story *Story
	// CommentCount is the story's CommentCount, or 0 without a story.
	CommentCount int
}

// MaxStoryCountURLs bounds one StoryCounts call: one page of links, one query.
const MaxStoryCountURLs = 100

// MaxStoryURLLength bounds story URLs (and so the index on them).
const MaxStoryURLLength = 2048

// CanonicalStoryURL returns the form a story URL is stored and matched in: lowercase scheme
// and host, no default port, no fragment, no tracking parameters, the other query parameters
// sorted. Two links to the same article thus find the same story.
func CanonicalStoryURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > MaxStoryURLLength || !utf8.ValidString(raw) {
		return "", FieldErrorf("storyURL", "Story URL must be an http(s) URL of at most %d bytes.", MaxStoryURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "", FieldErrorf("storyURL", "Story URL %q must be an absolute http(s) URL.", raw)
	}
	q := u.Query()
	for k := range q {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "utm_") || lk == "fbclid" || lk == "gclid" || lk == "mc_cid" || lk == "mc_eid" {
			q.Del(k)
		}
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
		}
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	out := originOf(u) + path
	if b.Len() > 0 {
		out += "?" + b.String()
	}
	return out, nil
}

// OriginOfURL returns the scheme://host[:port] of an absolute URL.
func OriginOfURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", FieldErrorf("storyURL", "%q is not an absolute URL.", raw)
	}
	return originOf(u), nil
}

package parley

import "time"

// SiteCreated is a new site, as an administrator made it. The site's single sign-on secret
// never travels in an event.
type SiteCreated struct {
	ID             string       `json:"id"`
	Name           string       `json:"name"`
	AllowedOrigins []string     `json:"allowedOrigins"`
	Settings       SiteSettings `json:"settings"`
}

// SiteCreatedOf returns what events carry of s.
func SiteCreatedOf(s *Site) SiteCreated {
	return SiteCreated{ID: s.ID, Name: s.Name, AllowedOrigins: s.AllowedOrigins, Settings: s.Settings}
}

// Kind implements EventPayload.
func (SiteCreated) Kind() string { return EventSiteCreated }

// SiteUpdated is a site after a change of its name, origins or settings. It carries the same
// fields as SiteCreated.
type SiteUpdated SiteCreated

// Kind implements EventPayload.
func (SiteUpdated) Kind() string { return EventSiteUpdated }

// WordListChanged is a site's word list saved anew. The terms stay out of the event (a list
// may be megabytes); Version names the new term set, as the moderation trail records it, so a
// replica knows whether its compiled list is current.
type WordListChanged struct {
	// WordList is the list's kind, BANNED or SUSPECT.
	WordList  WordListKind `json:"wordList"`
	Version   string       `json:"version"`
	TermCount int          `json:"termCount"`
}

// Kind implements EventPayload.
func (WordListChanged) Kind() string { return EventWordListChanged }

// StoryCreated is a story, made on first use of its URL or by a moderator.
type StoryCreated struct {
	ID     string `json:"id"`
	SiteID string `json:"siteID"`
	URL    string `json:"url"`
	Title  string `json:"title"`
	Closed bool   `json:"closed"`
	// Moderation is the story's own pre-moderation mode.
	Moderation StoryModeration `json:"moderation"`
	CreatedAt  time.Time       `json:"createdAt"`
	UpdatedAt  time.Time       `json:"updatedAt"`
}

// StoryCreatedOf returns what events carry of s.
func StoryCreatedOf(s *Story) StoryCreated {
	return StoryCreated{ID: s.ID, SiteID: s.SiteID, URL: s.URL, Title: s.Title, Closed: s.Closed,
		Moderation: s.Moderation, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

// Kind implements EventPayload.
func (StoryCreated) Kind() string { return EventStoryCreated }

// StoryUpdated is a story after a change of its title, its closed flag or its moderation
// mode. It carries the same fields as StoryCreated.
type StoryUpdated StoryCreated

// Kind implements EventPayload.
func (StoryUpdated) Kind() string { return EventStoryUpdated }

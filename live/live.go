// Package live turns the event bus into what one viewer of a story may see, as it happens:
// new comments, edits, deletions, moderation decisions and reaction counts.
package live

import (
	"context"
	"log/slog"
	"sync/atomic"

	"github.com/parleyhq/parley"
)

// Service implements parley.LiveService.
type Service struct {
	subscribers atomic.Int64
	source      parley.EventSource
	comments    parley.CommentService
	stories     parley.StoryService
	users       parley.UserService
	logger      *slog.Logger
}

// New returns a live service reading events from source and, where an event does not say
// enough, the comment from comments (with the viewer's own visibility rules).
func New(source parley.EventSource, comments parley.CommentService, stories parley.StoryService, users parley.UserService, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{source: source, comments: comments, stories: stories, users: users, logger: logger}
}

var _ parley.LiveService = (*Service)(nil)

// eventBuffer is how many resolved events a subscription may hold before its reader takes
// them; past it the subscription loses events rather than hold up its source. The reader
// is usually a stream shared by many WebSocket clients that never waits for any of them,
// so the buffer only has to absorb bursts: the outbox's backlog, published at once when a
// NATS outage ends, can bring a busy story dozens of events in a millisecond.
const eventBuffer = 256

// CommentEvents subscribes the caller to a story's new comments (created) or to the changes
// to its comments. A published new comment is built from the event itself, so a thousand
// subscribers cost no query; anything else is read back with the viewer's rights, and a
// comment the viewer may no longer see is sent without its content (status only), so the
// viewer's page can drop it. Reports are for moderators: readers are not told of them.
func (s *Service) CommentEvents(ctx context.Context, storyID string, created bool) (<-chan *parley.Comment, error) {
	if _, err := s.stories.FindStoryByID(ctx, storyID); err != nil {
		return nil, err
	}
	raw, err := s.source.StoryEvents(ctx, storyID)
	if err != nil {
		return nil, err
	}
	out := make(chan *parley.Comment, eventBuffer)
	s.subscribers.Add(1)
	go func() {
		defer s.subscribers.Add(-1)
		defer close(out)
		for e := range raw {
			if e.Kind() == parley.EventCommentReported || (e.Kind() == parley.EventCommentCreated) != created {
				continue
			}
			if ev := s.resolve(ctx, e); ev != nil {
				select {
				case out <- ev.Comment:
				default: // the subscriber is not reading; it loses this event
				}
			}
		}
	}()
	return out, nil
}

// QueueEvents subscribes a site's moderator to every comment event of the site.
func (s *Service) QueueEvents(ctx context.Context, siteID string) (<-chan *parley.CommentEvent, error) {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return nil, parley.Errorf(parley.EUNAUTHENTICATED, "Please sign in first.")
	}
	role, err := s.users.SiteRole(ctx, siteID, u.ID)
	if err != nil {
		return nil, err
	}
	if !role.AtLeast(parley.RoleModerator) {
		return nil, parley.Errorf(parley.EFORBIDDEN, "Only the site's moderators may follow its queues.")
	}
	raw, err := s.source.SiteEvents(ctx, siteID)
	if err != nil {
		return nil, err
	}
	return s.stream(ctx, raw), nil
}

// Subscribers is how many event streams this replica resolves now, for metrics. The
// WebSocket transport shares one stream among the subscribers with the same viewer and
// operation, so this counts streams, not clients.
func (s *Service) Subscribers() int64 { return s.subscribers.Load() }

// stream resolves raw events for the viewer of ctx.
func (s *Service) stream(ctx context.Context, raw <-chan parley.Event) <-chan *parley.CommentEvent {
	out := make(chan *parley.CommentEvent, eventBuffer)
	s.subscribers.Add(1)
	go func() {
		defer s.subscribers.Add(-1)
		defer close(out)
		for e := range raw {
			ev := s.resolve(ctx, e)
			if ev == nil {
				continue
			}
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			default: // the subscriber is not reading; it loses this event
			}
		}
	}()
	return out
}

// resolve turns one event into what the viewer may see, or nil.
func (s *Service) resolve(ctx context.Context, e parley.Event) *parley.CommentEvent {
	// id is the comment the event is about; status is its status after the event, when the
	// event says ("" when it does not: a reaction or a report leaves the status as it was).
	var id string
	var status parley.CommentStatus
	switch p := e.Payload.(type) {
	case parley.CommentCreated:
		if p.Status == parley.StatusPublished {
			return &parley.CommentEvent{Kind: e.Kind(), Comment: p.Comment()}
		}
		id, status = p.ID, p.Status
	case parley.CommentEdited:
		id, status = p.ID, p.Status
	case parley.CommentDeleted:
		id, status = p.ID, parley.StatusDeleted
	case parley.CommentModerated:
		id, status = p.CommentID, p.Status
	case parley.CommentReported:
		id = p.CommentID
	case parley.ReactionAdded:
		id = p.CommentID
	case parley.ReactionRemoved:
		id = p.CommentID
	default:
		return nil
	}
	c, err := s.comments.FindCommentByID(ctx, id)
	switch {
	case err == nil:
		return &parley.CommentEvent{Kind: e.Kind(), Comment: c}
	case parley.ErrorCode(err) != parley.ENOTFOUND:
		s.logger.Error("live: read comment", "comment", id, "error", err)
		return nil
	case e.Kind() == parley.EventCommentCreated:
		return nil // a new comment the viewer may not see: nothing to tell
	}
	// The viewer may no longer see it (held or rejected since): say so, without content.
	return &parley.CommentEvent{Kind: e.Kind(), Comment: &parley.Comment{ID: id, StoryID: e.StoryID, SiteID: e.SiteID, Status: status}}
}

// concerns returns the notification an event makes for the user userID, and the comment it
// is about when that must be read back (nil when the event carries the comment), or "" when
// the event is not for them. It reads only the event, so that every notification subscriber
// can test every comment event of the instance without a query.
func concerns(e parley.Event, userID string) (kind, readID string, c *parley.Comment) {
	switch p := e.Payload.(type) {
	case parley.CommentCreated:
		if p.RepliedToAuthorID == userID && p.AuthorID != userID && p.Status == parley.StatusPublished {
			return parley.NotificationReply, "", p.Comment()
		}
	case parley.CommentModerated:
		if p.AuthorID == userID && (p.Action == parley.ActionApprove || p.Action == parley.ActionReject || p.Action == parley.ActionHold) {
			return parley.NotificationDecision, p.CommentID, nil
		}
	}
	return "", "", nil
}

// Notifications delivers replies to the viewer's comments and decisions on them. Every
// notification subscriber on a replica shares one subscription to all comment events; each
// picks its own with a cheap test before any query.
func (s *Service) Notifications(ctx context.Context) (<-chan *parley.Notification, error) {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return nil, parley.Errorf(parley.EUNAUTHENTICATED, "Please sign in to receive notifications.")
	}
	raw, err := s.source.CommentEventsEverywhere(ctx)
	if err != nil {
		return nil, err
	}
	out := make(chan *parley.Notification, eventBuffer)
	s.subscribers.Add(1)
	go func() {
		defer s.subscribers.Add(-1)
		defer close(out)
		for e := range raw {
			kind, id, c := concerns(e, u.ID)
			if kind == "" {
				continue
			}
			if c == nil {
				var err error
				if c, err = s.comments.FindCommentByID(ctx, id); err != nil {
					continue
				}
			}
			select {
			case out <- &parley.Notification{Kind: kind, Comment: c}:
			default:
			}
		}
	}()
	return out, nil
}

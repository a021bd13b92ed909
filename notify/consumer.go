// Package notify keeps what readers are told of: replies to their comments, decisions on
// them, mentions of their username and moderators' messages. It turns the typed events of
// the stream into stored notifications (idempotent by event ID), mails those a reader wants
// at once, and answers the reader's bell and settings.
package notify

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"

	"github.com/parleyhq/parley"
)

// MaxMentions bounds the readers one comment may notify by @username, so a comment
// listing hundreds of names is not a way to spam them.
const MaxMentions = 10

// mention finds @username in a comment's Markdown: a name as ValidateUsername allows it,
// not preceded by a word character (so an email address is no mention).
var mention = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_.@-])@([\p{L}\p{N}_.-]{2,30})`)

// Consumer turns events into notifications. Handle is safe to call twice with one event.
type Consumer struct {
	store  parley.NotificationStore
	mailer parley.NotificationMailer
	logger *slog.Logger
	// added, when set, hears of every stored notification (live delivery, tests).
	added func(*parley.InboxNotification)
}

// Options configure a Consumer.
type Options struct {
	Logger *slog.Logger
	// Mailer writes the mail of a notification its reader wants at once; nil sends none.
	Mailer parley.NotificationMailer
	// Added hears of each notification stored, after the commit.
	Added func(*parley.InboxNotification)
}

// NewConsumer returns a consumer storing into store.
func NewConsumer(store parley.NotificationStore, o Options) *Consumer {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Consumer{store: store, mailer: o.Mailer, logger: o.Logger, added: o.Added}
}

// HandleBatch stores the notifications of a run of events, in order. A run that fails comes
// again whole; the events of it already handled add nothing the second time.
func (c *Consumer) HandleBatch(ctx context.Context, es []parley.OutboxEvent) error {
	for _, oe := range es {
		if err := c.Handle(ctx, oe); err != nil {
			return err
		}
	}
	return nil
}

// Handle stores the notifications of one event. An event this build cannot read is
// skipped; an error means the event should be delivered again, which adds nothing twice.
func (c *Consumer) Handle(ctx context.Context, oe parley.OutboxEvent) error {
	e, err := oe.Decode()
	if errors.Is(err, parley.ErrUnknownEvent) {
		return nil
	}
	if err != nil {
		c.logger.Warn("notify: undecodable event skipped", "event", oe.ID, "kind", oe.Kind, "err", err)
		return nil
	}
	ns, err := c.notificationsOf(ctx, oe, e.Payload)
	if err != nil || len(ns) == 0 {
		return err
	}
	added, err := c.store.AddNotifications(ctx, ns, c.mailer)
	if err != nil {
		return err
	}
	if c.added != nil {
		for _, n := range added {
			c.added(n)
		}
	}
	return nil
}

func (c *Consumer) notificationsOf(ctx context.Context, oe parley.OutboxEvent, p parley.EventPayload) ([]*parley.InboxNotification, error) {
	base := parley.InboxNotification{EventID: oe.ID, SiteID: oe.SiteID, StoryID: oe.StoryID}
	var ns []*parley.InboxNotification
	add := func(userID string, kind parley.NotificationKind, commentID, actorID, detail string) {
		if userID == "" || userID == actorID {
			return // no one to tell, or telling people of their own doing
		}
		n := base
		n.UserID, n.Kind, n.CommentID, n.ActorID, n.Detail = userID, kind, commentID, actorID, detail
		ns = append(ns, &n)
	}
	switch e := p.(type) {
	case parley.CommentCreated:
		if e.Status != parley.StatusPublished {
			return nil, nil // a held comment notifies no one until it is approved
		}
		if err := c.published(ctx, e.ID, e.AuthorID, e.RepliedToAuthorID, e.BodySource, add); err != nil {
			return nil, err
		}
	case parley.CommentModerated:
		if e.Action == parley.ActionApprove || e.Action == parley.ActionReject {
			detail := e.Action
			if e.Reason != "" {
				detail += ":" + e.Reason
			}
			add(e.AuthorID, parley.NotifyDecision, e.CommentID, e.ModeratorID, detail)
		}
		// A comment held and then published tells its parent's author and the readers it
		// names now, as it would have at once; storage keeps one REPLY and one MENTION per
		// comment and reader, so a comment published twice tells them once.
		if e.Status == parley.StatusPublished && e.PreviousStatus != parley.StatusPublished {
			cm, repliedTo, err := c.store.FindPublishedComment(ctx, e.CommentID)
			if parley.ErrorCode(err) == parley.ENOTFOUND {
				break // gone or held again since: nothing to tell
			} else if err != nil {
				return nil, err
			}
			if err := c.published(ctx, cm.ID, cm.AuthorID, repliedTo, cm.BodySource, add); err != nil {
				return nil, err
			}
		}
	case parley.UserSanctioned:
		if e.RevokedAt == nil && (e.SanctionKind == parley.SanctionMessage || e.SanctionKind == parley.SanctionWarn) {
			add(e.UserID, parley.NotifyModeratorMessage, "", e.ModeratorID, string(e.SanctionKind)+":"+e.SanctionID)
		}
	}
	return ns, nil
}

// published adds the notifications of a comment that readers can now see: a reply to the
// parent's author, and a mention to each reader named who is not that author.
func (c *Consumer) published(ctx context.Context, commentID, authorID, repliedTo, source string, add func(string, parley.NotificationKind, string, string, string)) error {
	add(repliedTo, parley.NotifyReply, commentID, authorID, "")
	users, err := c.mentioned(ctx, source)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.ID != repliedTo { // the reply tells them already
			add(u.ID, parley.NotifyMention, commentID, authorID, "")
		}
	}
	return nil
}

// mentioned finds the accounts a comment names with @username, at most MaxMentions.
func (c *Consumer) mentioned(ctx context.Context, source string) ([]*parley.User, error) {
	seen := map[string]bool{}
	var names []string
	for _, m := range mention.FindAllStringSubmatch(source, -1) {
		name := strings.TrimRight(m[1], ".-") // "@ann." ends a sentence
		if key := strings.ToLower(name); !seen[key] && len(names) < MaxMentions {
			seen[key] = true
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	return c.store.FindUsersByUsernames(ctx, names)
}

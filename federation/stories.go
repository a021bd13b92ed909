package federation

import (
	"context"
	"log/slog"
	"time"

	"github.com/parleyhq/parley"
)

// ShareStory shares a story with peers (the site's moderators): from now on its published
// comments are sent to them, and a peer that carries the same URL on one of its sites shows
// them under its own rules.
func (s *Service) ShareStory(ctx context.Context, in parley.ShareStoryInput) (*parley.Story, error) {
	story, err := s.sharing(ctx, in)
	if err != nil {
		return nil, err
	}
	if err := s.store.ShareStory(ctx, story.ID, in.PeerIDs); err != nil {
		return nil, err
	}
	return story, nil
}

// UnshareStory stops sending a story to peers (the site's moderators). What they hold of
// it stays theirs to show; its deletions and labels still reach them.
func (s *Service) UnshareStory(ctx context.Context, in parley.ShareStoryInput) (*parley.Story, error) {
	story, err := s.sharing(ctx, in)
	if err != nil {
		return nil, err
	}
	if err := s.store.UnshareStory(ctx, story.ID, in.PeerIDs); err != nil {
		return nil, err
	}
	return story, nil
}

// sharing checks a share or unshare: the story, the caller's role on its site, the peers.
func (s *Service) sharing(ctx context.Context, in parley.ShareStoryInput) (*parley.Story, error) {
	if s.o.Stories == nil || s.o.Users == nil {
		return nil, parley.Errorf(parley.ENOTFOUND, "Stories are not shared from this server.")
	}
	if len(in.PeerIDs) == 0 || len(in.PeerIDs) > 100 {
		return nil, parley.FieldErrorf("peerIDs", "Name 1 to 100 peers.")
	}
	story, err := s.o.Stories.FindStoryByID(ctx, in.StoryID)
	if err != nil {
		return nil, err
	}
	if err := s.requireModerator(ctx, story.SiteID); err != nil {
		return nil, err
	}
	for _, id := range in.PeerIDs {
		if !parley.IsID(id) {
			return nil, parley.FieldErrorf("peerIDs", "There is no peer %s.", id)
		}
		p, err := s.store.FindPeerByID(ctx, id)
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			return nil, parley.FieldErrorf("peerIDs", "There is no peer %s.", id)
		}
		if err != nil {
			return nil, err
		}
		if p.State == parley.PeerDefederated {
			return nil, parley.FieldErrorf("peerIDs", "Peer %s is defederated.", p.Name)
		}
	}
	return story, nil
}

// StorySharedWith lists the peers a story is shared with now; nobody but the site's
// moderators learns them (others get an empty list, so a page read never fails on it).
func (s *Service) StorySharedWith(ctx context.Context, story *parley.Story) ([]*parley.Peer, error) {
	if s.o.Users == nil {
		return []*parley.Peer{}, nil
	}
	// Most stories are shared with no one: that answer needs no role.
	peers, err := s.store.StoryPeers(ctx, story.ID)
	if err != nil || len(peers) == 0 || s.requireModerator(ctx, story.SiteID) != nil {
		return []*parley.Peer{}, err
	}
	return peers, nil
}

// ShareablePeers lists the peers a site's moderators may share stories with: all that are
// not defederated, pending ones included (nothing flows to them until they link back).
func (s *Service) ShareablePeers(ctx context.Context, siteID string) ([]*parley.Peer, error) {
	if s.o.Users == nil {
		return []*parley.Peer{}, nil
	}
	if err := s.requireModerator(ctx, siteID); err != nil {
		return nil, err
	}
	peers, err := s.store.ListPeers(ctx)
	if err != nil {
		return nil, err
	}
	out := []*parley.Peer{}
	for _, p := range peers {
		if p.State != parley.PeerDefederated {
			out = append(out, p)
		}
	}
	return out, nil
}

// requireModerator lets through admins and the site's moderators.
func (s *Service) requireModerator(ctx context.Context, siteID string) error {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return parley.Errorf(parley.EUNAUTHENTICATED, "Please sign in first.")
	}
	if u.Admin {
		return nil
	}
	if !parley.IsID(siteID) {
		return parley.Errorf(parley.ENOTFOUND, "Site not found.")
	}
	role, err := s.o.Users.SiteRole(ctx, siteID, u.ID)
	if err != nil {
		return err
	}
	if !role.AtLeast(parley.RoleModerator) {
		return parley.Errorf(parley.EFORBIDDEN, "Only the site's moderators may share its stories.")
	}
	return nil
}

// Publisher turns this instance's events into signed envelopes for the peers that share a
// story: a published comment (on creation, on a moderator's approval), an edit of a
// published comment, and a deletion (a tombstone). Comments of remote authors are never
// sent on: each instance speaks only for its own.
type Publisher struct {
	id        *Identity
	store     parley.FederationStore
	stories   parley.StoryService
	users     parley.UserService
	comments  parley.CommentService
	transport *Transport
	logger    *slog.Logger
	now       func() time.Time
	// tombstones, when set, tracks each tombstone until its peers acknowledge it.
	tombstones parley.TombstoneStore
}

// NewPublisher returns a publisher sending through transport.
func NewPublisher(id *Identity, store parley.FederationStore, stories parley.StoryService, users parley.UserService,
	comments parley.CommentService, transport *Transport, logger *slog.Logger) *Publisher {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Publisher{id: id, store: store, stories: stories, users: users, comments: comments, transport: transport,
		logger: logger, now: time.Now}
}

// system is the context the publisher reads comments in: it must see every comment.
func system(ctx context.Context) context.Context {
	return parley.NewContextWithUser(ctx, &parley.User{Username: "federation", Admin: true})
}

// Handle is the event consumer (nats.Handler): idempotent, since the receivers' ledger
// refuses an envelope ID twice and the envelope ID is derived from the event ID.
func (p *Publisher) Handle(ctx context.Context, oe parley.OutboxEvent) error {
	e, err := oe.Decode()
	if err != nil {
		return nil // not ours to read (a newer replica's kind); nothing to send
	}
	var kind string
	var snap *parley.CommentSnapshot
	switch ev := e.Payload.(type) {
	case parley.CommentCreated:
		if ev.Status != parley.StatusPublished {
			return nil
		}
		kind, snap = KindCommentCreated, &ev.CommentSnapshot
	case parley.CommentEdited:
		if ev.Status != parley.StatusPublished {
			return nil
		}
		kind, snap = KindCommentEdited, &ev.CommentSnapshot
	case parley.CommentModerated:
		if ev.Status == parley.StatusRejected {
			return p.labelComment(ctx, oe.ID, e.StoryID, ev)
		}
		if ev.Status != parley.StatusPublished || ev.PreviousStatus == parley.StatusPublished {
			return nil
		}
		c, err := p.comments.FindCommentByID(system(ctx), ev.CommentID)
		if err != nil {
			return ignoreNotFound(err)
		}
		s := parley.SnapshotOf(c)
		kind, snap = KindCommentCreated, &s
	case parley.CommentDeleted:
		return p.tombstone(ctx, oe.ID, ev)
	case parley.UserSanctioned:
		return p.labelUser(ctx, oe.ID, ev)
	case parley.UserDeleted:
		return p.eraseAccount(ctx, oe.ID, ev.ID)
	case parley.ReactionAdded:
		return p.react(ctx, oe.ID, e.StoryID, ev, false)
	case parley.ReactionRemoved:
		return p.react(ctx, oe.ID, e.StoryID, parley.ReactionAdded(ev), true)
	default:
		return nil
	}
	return p.sendComment(ctx, oe.ID, kind, snap)
}

func ignoreNotFound(err error) error {
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil
	}
	return err
}

// storyPeers names the active peers a story is shared with now: the only ones its new
// comments, edits and reactions are sent to.
func (p *Publisher) storyPeers(ctx context.Context, storyID string) ([]string, error) {
	peers, err := p.store.StoryPeers(ctx, storyID)
	return activeNames(peers), err
}

// storyRecipients names the active peers a story was ever shared with: what they hold of
// it may be labelled or deleted after the story was unshared, and must be there too.
func (p *Publisher) storyRecipients(ctx context.Context, storyID string) ([]string, error) {
	peers, err := p.store.StoryRecipients(ctx, storyID)
	return activeNames(peers), err
}

func activeNames(peers []*parley.Peer) []string {
	var names []string
	for _, peer := range peers {
		if peer.State == parley.PeerActive {
			names = append(names, peer.Name)
		}
	}
	return names
}

func (p *Publisher) sendComment(ctx context.Context, eventID, kind string, c *parley.CommentSnapshot) error {
	if c.AuthorID == "" {
		return nil
	}
	peers, err := p.store.StoryPeers(ctx, c.StoryID)
	to := activeNames(peers)
	if err != nil || len(to) == 0 {
		return err
	}
	author, err := p.users.FindUserByID(ctx, c.AuthorID)
	if err != nil {
		return ignoreNotFound(err)
	}
	if author.Instance() != nil {
		return nil // a remote author's comment: its home instance speaks for it
	}
	story, err := p.stories.FindStoryByID(ctx, c.StoryID)
	if err != nil {
		return ignoreNotFound(err)
	}
	payload := CommentPayload{
		Comment:    ObjectRef{Instance: p.id.Name(), ID: c.ID},
		Author:     RemoteUser{Instance: p.id.Name(), ID: author.ID, Username: author.Username},
		StoryURL:   story.URL,
		BodySource: c.BodySource,
		CreatedAt:  c.CreatedAt.UTC(),
	}
	if c.ParentID != "" {
		ref := &ObjectRef{Instance: p.id.Name(), ID: c.ParentID}
		instance, remoteID, err := p.store.RemoteOrigin(ctx, "comments", c.ParentID)
		switch {
		case err == nil:
			ref = &ObjectRef{Instance: instance, ID: remoteID}
		case parley.ErrorCode(err) != parley.ENOTFOUND:
			return err
		}
		payload.Parent = ref
	}
	if err := p.publish(ctx, eventID, kind, payload, to); err != nil {
		return err
	}
	// The peers that hold the author's comments now: an erasure of the account and a
	// sanction's label go to them.
	return p.store.RecordSentAuthor(ctx, author.ID, activeIDs(peers))
}

func activeIDs(peers []*parley.Peer) []string {
	var ids []string
	for _, peer := range peers {
		if peer.State == parley.PeerActive {
			ids = append(ids, peer.ID)
		}
	}
	return ids
}

func (p *Publisher) tombstone(ctx context.Context, eventID string, ev parley.CommentDeleted) error {
	peers, err := p.store.StoryRecipients(ctx, ev.StoryID)
	to := activeNames(peers)
	if err != nil || len(to) == 0 {
		return err
	}
	if _, _, err := p.store.RemoteOrigin(ctx, "comments", ev.ID); err == nil {
		return nil // a remote comment's deletion here is a local decision, not ours to send
	}
	if err := p.publish(ctx, eventID, KindTombstone, TombstonePayload{Object: ObjectRef{Instance: p.id.Name(), ID: ev.ID}, Type: "comment"}, to); err != nil {
		return err
	}
	return p.track(ctx, eventID, peers, "comment", ev.ID)
}

// publish signs with the current key, the event ID as the envelope ID, so a redelivered
// event makes an envelope the receivers already applied, and sends it to the peers named.
func (p *Publisher) publish(ctx context.Context, eventID, kind string, payload any, to []string) error {
	signer, err := p.id.Signer(ctx)
	if err != nil {
		return err
	}
	raw, err := jsonMarshal(payload)
	if err != nil {
		return err
	}
	env, err := signer.SignRaw(eventID, kind, raw, p.now())
	if err != nil {
		return err
	}
	return p.transport.PublishTo(ctx, env, to)
}

// CommentApplier applies envelopes of shared stories through the local comment service, so
// every remote comment passes this instance's own pipeline and sanctions: a comment the
// local rules reject is stored rejected (never shown here) whatever its origin decided.
type CommentApplier struct {
	self     string
	store    parley.FederationStore
	stories  parley.StoryService
	comments parley.CommentService
	logger   *slog.Logger
	// held, when set, keeps replies whose parent has not arrived (HoldRepliesIn).
	held parley.HeldReplyStore
	// eraser, when set, erases remote users whose home instance erased them.
	eraser UserEraser
}

// NewCommentApplier returns the applier of instance self.
func NewCommentApplier(self string, store parley.FederationStore, stories parley.StoryService, comments parley.CommentService, logger *slog.Logger) *CommentApplier {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &CommentApplier{self: self, store: store, stories: stories, comments: comments, logger: logger}
}

// Apply applies one verified envelope. A refusal by local rules (a closed story, a banned
// author, a URL no local site carries) is a decision, not a failure: it returns nil so the
// envelope is not delivered again.
func (a *CommentApplier) Apply(ctx context.Context, v *Verified) error {
	origin := v.Envelope.Origin
	var err error
	switch p := v.Payload.(type) {
	case *CommentPayload:
		err = a.comment(ctx, origin, v.Envelope.Kind, p, false)
	case *TombstonePayload:
		err = a.tombstone(ctx, origin, p)
	}
	if code := parley.ErrorCode(err); err != nil && code != parley.EINTERNAL {
		a.logger.Info("federation: envelope refused by local rules", "origin", origin, "id", v.Envelope.ID, "code", code, "error", err)
		return nil
	}
	return err
}

// comment applies a comment or its edit and then releases the replies held for a comment
// it made.
func (a *CommentApplier) comment(ctx context.Context, origin, kind string, p *CommentPayload, orphan bool) error {
	made, err := a.place(ctx, origin, kind, p, orphan)
	if err != nil || !made {
		return err
	}
	return a.release(ctx, p.Comment)
}

// place applies a comment or its edit and reports whether it made the local copy. A reply
// whose parent is not here yet is held for it, unless orphan (it waited long enough) or the
// parent was deleted before it came.
func (a *CommentApplier) place(ctx context.Context, origin, kind string, p *CommentPayload, orphan bool) (bool, error) {
	user, err := a.store.RemoteUser(ctx, origin, p.Author.ID, p.Author.Username+"@"+origin)
	if err != nil {
		return false, err
	}
	as := parley.NewContextWithUser(ctx, user)
	existing, err := a.store.FindRemoteComment(ctx, origin, p.Comment.ID)
	switch {
	case err == nil && kind == KindCommentEdited:
		_, err = a.comments.EditComment(as, parley.EditCommentInput{CommentID: existing, Body: p.BodySource})
		return false, err
	case err == nil:
		return false, nil // applied before
	case parley.ErrorCode(err) != parley.ENOTFOUND:
		return false, err
	}
	// Its origin deleted it before it came (the tombstone overtook it): it is not shown.
	if buried, err := a.store.RemoteCommentBuried(ctx, origin, p.Comment.ID); err != nil || buried {
		return false, err
	}
	story, err := a.stories.FindStoryByURL(ctx, p.StoryURL)
	if err != nil {
		return false, err // ENOTFOUND: no local site carries the URL
	}
	in := parley.CreateCommentInput{StoryID: story.ID, Body: p.BodySource}
	if p.Parent != nil {
		if p.Parent.Instance == a.self {
			in.ParentID = p.Parent.ID
		} else if id, err := a.store.FindRemoteComment(ctx, p.Parent.Instance, p.Parent.ID); err == nil {
			in.ParentID = id
		} else if parley.ErrorCode(err) != parley.ENOTFOUND {
			return false, err
		} else if a.held != nil && !orphan {
			buried, err := a.store.RemoteCommentBuried(ctx, p.Parent.Instance, p.Parent.ID)
			if err != nil {
				return false, err
			}
			if !buried {
				return false, a.hold(ctx, origin, kind, p)
			}
		}
	}
	c, err := a.comments.CreateComment(as, in)
	if err != nil {
		return false, err
	}
	if err := a.store.MapRemoteComment(ctx, origin, p.Comment.ID, c.ID); err != nil {
		return false, err
	}
	return true, nil
}

func (a *CommentApplier) tombstone(ctx context.Context, origin string, p *TombstonePayload) error {
	if p.Type == "user" {
		return a.eraseRemoteUser(ctx, origin, p.Object.ID)
	}
	if p.Type != "comment" {
		return nil
	}
	id, err := a.store.FindRemoteComment(ctx, origin, p.Object.ID)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		// Not held (yet): should the comment come later, as catch-up may bring it after
		// this, it is refused.
		return a.store.BuryRemoteComment(ctx, origin, p.Object.ID)
	}
	if err != nil {
		return err
	}
	c, err := a.comments.FindCommentByID(system(ctx), id)
	if err != nil || c.Status == parley.StatusDeleted {
		return err
	}
	// The deletion is the author's: their home instance says so, signed.
	_, err = a.comments.DeleteComment(parley.NewContextWithUser(ctx, &parley.User{ID: c.AuthorID}), id)
	return err
}

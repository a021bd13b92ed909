package moderation

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley"
)

// FlagGuest marks a comment held because a guest wrote it.
const FlagGuest = "GUEST"

// holdGuest holds every comment a guest wrote that the pipeline would publish: a guest has
// no account to sanction or trust, so a person reads their words first whatever stages a
// site runs. A rejection stands.
func holdGuest(d *parley.Draft, m *parley.Moderation) {
	if d.Author == nil || !d.Author.Guest || m.Decision == parley.DecisionReject || m.Decision == parley.DecisionHold {
		return
	}
	m.Decision, m.DecidedBy = parley.DecisionHold, "guest"
	m.Trail = append(m.Trail, parley.StageResult{Stage: "guest", Verdict: parley.Verdict{
		Decision: parley.DecisionHold, Flags: []string{FlagGuest}, Evidence: "A guest wrote it; guests' comments are always reviewed.",
	}})
}

// Guests implements parley.GuestService on the comment service: a guest comment is an
// ordinary comment by a guest author, judged by the same pipeline and then held.
type Guests struct {
	stories  parley.StoryService
	sites    parley.SiteService
	store    parley.GuestStore
	comments parley.CommentService
	limiter  parley.RateLimiter
}

// NewGuests returns the guest service; limiter (nil: none) counts guest comments per client
// network.
func NewGuests(stories parley.StoryService, sites parley.SiteService, store parley.GuestStore, comments parley.CommentService, limiter parley.RateLimiter) *Guests {
	return &Guests{stories: stories, sites: sites, store: store, comments: comments, limiter: limiter}
}

var _ parley.GuestService = (*Guests)(nil)

// CreateGuestComment checks the site takes guests, limits the client's network, makes the
// guest author and posts the comment as them; a refused comment takes its guest away again.
func (g *Guests) CreateGuestComment(ctx context.Context, in parley.GuestCommentInput) (*parley.Comment, error) {
	if parley.UserFromContext(ctx) != nil {
		return nil, parley.Errorf(parley.EINVALID, "You are signed in: post with createComment instead.")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	story, err := g.story(ctx, in)
	if err != nil {
		return nil, err
	}
	site, err := g.sites.FindSiteByID(ctx, story.SiteID)
	if err != nil {
		return nil, err
	}
	if !site.Settings.GuestComments {
		return nil, parley.Errorf(parley.EFORBIDDEN, "This site takes comments only from signed-in readers.")
	}
	if g.limiter != nil {
		ok, wait, err := g.limiter.Allow(ctx, "guest:"+parley.ClientNetwork(parley.ClientFromContext(ctx).IP))
		if err != nil {
			return nil, fmt.Errorf("moderation: guest limit: %w", err)
		}
		if !ok {
			return nil, parley.RateLimitedf(wait, "Too many guest comments from your network; try again later or sign in.")
		}
	}
	guest, err := g.store.CreateGuest(ctx, in.Name, in.Email)
	if err != nil {
		return nil, err
	}
	c, err := g.comments.CreateComment(parley.NewContextWithUser(ctx, guest),
		parley.CreateCommentInput{StoryID: story.ID, ParentID: in.ParentID, Body: in.Body})
	if err != nil {
		if derr := g.store.DeleteGuest(context.WithoutCancel(ctx), guest.ID); derr != nil {
			return nil, fmt.Errorf("moderation: remove guest after %v: %w", err, derr)
		}
		return nil, err
	}
	return c, nil
}

func (g *Guests) story(ctx context.Context, in parley.GuestCommentInput) (*parley.Story, error) {
	if in.StoryID != "" {
		return g.stories.FindStoryByID(ctx, in.StoryID)
	}
	return g.stories.FindStoryByURL(ctx, in.StoryURL)
}

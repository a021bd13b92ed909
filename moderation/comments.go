package moderation

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley"
)

// CommentService implements parley.CommentService: new and edited comments go through the
// moderator (the Pipeline) before storage writes them, and everything else goes straight to
// storage. The pipeline runs between two short visits to storage, with no connection held
// and no transaction open, so a slow plug-in delays only the comment it judges.
type CommentService struct {
	store     parley.CommentStore
	moderator parley.Moderator
}

// NewCommentService returns store's comments judged by m.
func NewCommentService(store parley.CommentStore, m parley.Moderator) *CommentService {
	return &CommentService{store: store, moderator: m}
}

var _ parley.CommentService = (*CommentService)(nil)

// CreateComment prepares the comment, runs the pipeline on it and writes it with the
// decision and its trail.
func (s *CommentService) CreateComment(ctx context.Context, in parley.CreateCommentInput) (*parley.Comment, error) {
	d, err := s.store.PrepareComment(ctx, in)
	if err != nil {
		return nil, err
	}
	m, err := s.moderate(ctx, d)
	if err != nil {
		return nil, err
	}
	return s.store.InsertComment(ctx, d, m)
}

// EditComment prepares the edit, runs the pipeline on the new body and writes it. An edit
// that raced another edit or a moderator's decision while the pipeline ran is refused with
// ECONFLICT by storage; the author edits again on what now stands.
func (s *CommentService) EditComment(ctx context.Context, in parley.EditCommentInput) (*parley.Comment, error) {
	d, err := s.store.PrepareEdit(ctx, in)
	if err != nil {
		return nil, err
	}
	if d.Unchanged() {
		return d.Previous, nil
	}
	m, err := s.moderate(ctx, d)
	if err != nil {
		return nil, err
	}
	return s.store.UpdateComment(ctx, d, m)
}

func (s *CommentService) moderate(ctx context.Context, d *parley.Draft) (*parley.Moderation, error) {
	m, err := s.moderator.Moderate(ctx, &d.Submission)
	if err != nil {
		// The pipeline fails only when the request itself ended (its context).
		return nil, fmt.Errorf("moderation: judge comment %s: %w", d.Comment.ID, err)
	}
	followLinks(d, m)
	holdGuest(d, m)
	return m, nil
}

// FindCommentByID reads from storage.
func (s *CommentService) FindCommentByID(ctx context.Context, id string) (*parley.Comment, error) {
	return s.store.FindCommentByID(ctx, id)
}

// FindCommentsByIDs reads from storage.
func (s *CommentService) FindCommentsByIDs(ctx context.Context, ids []string) ([]*parley.Comment, error) {
	return s.store.FindCommentsByIDs(ctx, ids)
}

// FindComments reads from storage.
func (s *CommentService) FindComments(ctx context.Context, f parley.CommentFilter) (*parley.CommentPage, error) {
	return s.store.FindComments(ctx, f)
}

// FindReplyPages reads from storage.
func (s *CommentService) FindReplyPages(ctx context.Context, storyID string, parentIDs []string, order parley.CommentOrder, first int) (map[string]*parley.CommentPage, error) {
	return s.store.FindReplyPages(ctx, storyID, parentIDs, order, first)
}

// FindRevisions reads from storage.
func (s *CommentService) FindRevisions(ctx context.Context, commentID string) ([]*parley.Revision, error) {
	return s.store.FindRevisions(ctx, commentID)
}

// DeleteComment goes to storage: an author's deletion is not judged.
func (s *CommentService) DeleteComment(ctx context.Context, id string) (*parley.Comment, error) {
	return s.store.DeleteComment(ctx, id)
}

// FindModerations reads the stored trails.
func (s *CommentService) FindModerations(ctx context.Context, commentID string) ([]*parley.ModerationRecord, error) {
	return s.store.FindModerations(ctx, commentID)
}

// ModerationsOf reads from storage.
func (s *CommentService) ModerationsOf(ctx context.Context, commentIDs []string) (map[string][]*parley.ModerationRecord, error) {
	return s.store.ModerationsOf(ctx, commentIDs)
}

// RejectionReasons reads from storage.
func (s *CommentService) RejectionReasons(ctx context.Context, commentIDs []string) (map[string]parley.RejectReason, error) {
	return s.store.RejectionReasons(ctx, commentIDs)
}

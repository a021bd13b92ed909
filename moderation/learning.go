package moderation

import (
	"context"
	"log/slog"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation/spam"
)

// LearningQueue wraps the moderators' queue service so that their decisions teach the spam
// classifier: an approval is a good comment, a rejection for SPAM is spam. Learning happens
// after the decision is stored; a failure to learn is logged, never shown to the moderator.
type LearningQueue struct {
	parley.QueueService
	classifier *spam.Classifier
	logger     *slog.Logger
}

// NewLearningQueue returns next with learning added.
func NewLearningQueue(next parley.QueueService, c *spam.Classifier, logger *slog.Logger) *LearningQueue {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &LearningQueue{QueueService: next, classifier: c, logger: logger}
}

// ApproveComment approves and learns the comment as good.
func (q *LearningQueue) ApproveComment(ctx context.Context, in parley.ModerateInput) (*parley.Comment, error) {
	c, err := q.QueueService.ApproveComment(ctx, in)
	if err == nil {
		q.learn(ctx, c, false)
	}
	return c, err
}

// RejectComment rejects and, for reason SPAM, learns the comment as spam.
func (q *LearningQueue) RejectComment(ctx context.Context, in parley.ModerateInput) (*parley.Comment, error) {
	c, err := q.QueueService.RejectComment(ctx, in)
	if err == nil && in.Reason == parley.RejectSpam {
		q.learn(ctx, c, true)
	}
	return c, err
}

// BulkModerate decides and learns from every comment decided.
func (q *LearningQueue) BulkModerate(ctx context.Context, ids []string, status parley.CommentStatus, reason parley.RejectReason, note string) ([]*parley.Comment, error) {
	cs, err := q.QueueService.BulkModerate(ctx, ids, status, reason, note)
	if err != nil {
		return cs, err
	}
	for _, c := range cs {
		switch {
		case status == parley.StatusPublished:
			q.learn(ctx, c, false)
		case reason == parley.RejectSpam:
			q.learn(ctx, c, true)
		}
	}
	return cs, nil
}

func (q *LearningQueue) learn(ctx context.Context, c *parley.Comment, isSpam bool) {
	if err := q.classifier.Learn(context.WithoutCancel(ctx), c.SiteID, c.BodySource, isSpam); err != nil {
		q.logger.ErrorContext(ctx, "spam: learn from a decision", "comment_id", c.ID, "error", err)
	}
}

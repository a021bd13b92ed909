package federation

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// Labels (issue 13, item 6): peers publish their moderation decisions and sanctions as
// labels about a comment or a user; a site here subscribes to a peer's labels with a weight,
// a local action and a quorum. The labels' effect is decided here, by the subscribing
// site's own settings: through the pipeline (LabelStage) for a comment that arrives after
// its author or itself was labelled, and by LabelApplier for a comment shown already.

// SubscribeLabels subscribes a site to a peer's labels, or changes the subscription (admins
// only, as peers are).
func (s *Service) SubscribeLabels(ctx context.Context, in parley.SubscribeLabelsInput) (*parley.LabelSubscription, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if s.o.Labels == nil || s.o.Sites == nil {
		return nil, parley.Errorf(parley.ENOTFOUND, "Labels are not received on this server.")
	}
	switch {
	case math.IsNaN(in.Weight) || in.Weight < 0 || in.Weight > 1:
		return nil, parley.FieldErrorf("weight", "The weight must be between 0 and 1.")
	case !in.Action.Valid():
		return nil, parley.FieldErrorf("action", "The action must be IGNORE, FLAG, HOLD or HIDE.")
	case in.Quorum < 1 || in.Quorum > 100:
		return nil, parley.FieldErrorf("quorum", "The quorum must be between 1 and 100 peers.")
	}
	site, err := s.o.Sites.FindSiteByID(ctx, in.SiteID)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil, parley.FieldErrorf("siteID", "There is no site %s.", in.SiteID)
	}
	if err != nil {
		return nil, err
	}
	p, err := s.store.FindPeerByID(ctx, in.PeerID)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil, parley.FieldErrorf("peerID", "There is no peer %s.", in.PeerID)
	}
	if err != nil {
		return nil, err
	}
	if p.State == parley.PeerDefederated {
		return nil, parley.FieldErrorf("peerID", "Peer %s is defederated.", p.Name)
	}
	sub := &parley.LabelSubscription{SiteID: site.ID, PeerID: p.ID, PeerName: p.Name, Weight: in.Weight, Action: in.Action, Quorum: in.Quorum}
	if err := s.o.Labels.SubscribeLabels(ctx, sub); err != nil {
		return nil, err
	}
	return sub, nil
}

// UnsubscribeLabels ends a site's subscription to a peer's labels and answers it as it was
// (admins only); ENOTFOUND, naming the field, when there is none.
func (s *Service) UnsubscribeLabels(ctx context.Context, in parley.UnsubscribeLabelsInput) (*parley.LabelSubscription, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if s.o.Labels == nil {
		return nil, parley.Errorf(parley.ENOTFOUND, "Labels are not received on this server.")
	}
	subs, err := s.o.Labels.LabelSubscriptions(ctx, in.SiteID)
	if err != nil {
		return nil, err
	}
	for _, sub := range subs {
		if sub.PeerID == in.PeerID {
			if err := s.o.Labels.UnsubscribeLabels(ctx, in.SiteID, in.PeerID); err != nil {
				return nil, err
			}
			return sub, nil
		}
	}
	return nil, parley.Errorf(parley.ENOTFOUND, "Site %s does not subscribe to the labels of peer %s (peerID).", in.SiteID, in.PeerID)
}

// LabelSubscriptions lists a site's subscriptions to peers' labels (admins only).
func (s *Service) LabelSubscriptions(ctx context.Context, siteID string) ([]*parley.LabelSubscription, error) {
	if err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	if s.o.Labels == nil {
		return []*parley.LabelSubscription{}, nil
	}
	return s.o.Labels.LabelSubscriptions(ctx, siteID)
}

// actionRank orders the actions, so that the strongest one whose quorum is met wins.
var actionRank = map[parley.LabelAction]int{parley.LabelIgnore: 0, parley.LabelFlag: 1, parley.LabelHold: 2, parley.LabelHide: 3}

// LabelEffect is what a site's subscriptions make of the labels on a subject.
type LabelEffect struct {
	Action parley.LabelAction
	// Value is the label that decided; Peers the subscribed peers that agree on it, by name.
	Value string
	Peers []string
	// Score is the sum of the agreeing peers' weights.
	Score    float64
	Evidence string
}

// DecideLabels returns the strongest effect that labels have under a site's subscriptions:
// for each label value, the subscribed peers with a weight above 0 that carry it agree; a
// subscription's action is taken when at least its quorum of them agree. IGNORE when none.
func DecideLabels(subs []*parley.LabelSubscription, labels []parley.Label) LabelEffect {
	bySite := map[string]*parley.LabelSubscription{}
	for _, s := range subs {
		if s.Weight > 0 {
			bySite[s.PeerName] = s
		}
	}
	type key struct{ subject, value string }
	agree := map[key][]parley.Label{}
	var keys []key
	for _, l := range labels {
		if bySite[l.Origin] == nil {
			continue
		}
		k := key{l.SubjectType + ":" + l.SubjectInstance + "/" + l.SubjectID, l.Value}
		if agree[k] == nil {
			keys = append(keys, k)
		}
		agree[k] = append(agree[k], l)
	}
	best := LabelEffect{Action: parley.LabelIgnore}
	for _, k := range keys {
		ls := agree[k]
		for _, l := range ls {
			s := bySite[l.Origin]
			if len(ls) < s.Quorum || actionRank[s.Action] <= actionRank[best.Action] {
				continue
			}
			e := LabelEffect{Action: s.Action, Value: k.value}
			var parts []string
			for _, m := range ls {
				w := bySite[m.Origin].Weight
				e.Peers = append(e.Peers, m.Origin)
				e.Score += w
				part := fmt.Sprintf("%s (weight %.2g)", m.Origin, w)
				if m.Reason != "" {
					part += ": " + m.Reason
				}
				parts = append(parts, part)
			}
			e.Evidence = fmt.Sprintf("Labelled %q by %s.", k.value, strings.Join(parts, "; "))
			best = e
		}
	}
	return best
}

// LabelStage is the pipeline stage that applies subscribed peers' labels to a comment as
// it is submitted (a remote comment arriving, a local one posted, an edit): labels on its
// author and, for an edit, on the comment itself. Its trail entry names the peers.
type LabelStage struct {
	self   string
	labels parley.LabelStore
	store  parley.FederationStore
	now    func() time.Time
	cache  subsCache
}

// NewLabelStage returns the stage of instance self.
func NewLabelStage(self string, labels parley.LabelStore, store parley.FederationStore) *LabelStage {
	return &LabelStage{self: self, labels: labels, store: store, now: time.Now}
}

// Name is the stage's name in trails and site settings.
func (*LabelStage) Name() string { return "federation_labels" }

// subject names a local user or comment record as labels name it: by its home instance.
func (st *LabelStage) subject(ctx context.Context, table, id string) (string, string, error) {
	inst, rid, err := st.store.RemoteOrigin(ctx, table, id)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return st.self, id, nil
	}
	return inst, rid, err
}

// Labels returns the current labels on a local user or comment record.
func (st *LabelStage) Labels(ctx context.Context, typ, localID string) ([]parley.Label, error) {
	table := map[string]string{"user": "users", "comment": "comments"}[typ]
	inst, rid, err := st.subject(ctx, table, localID)
	if err != nil {
		return nil, err
	}
	return st.labels.SubjectLabels(ctx, typ, inst, rid, st.now())
}

// Check passes unless the site subscribes to labels that, by its quorum, flag, hold or hide
// the comment.
func (st *LabelStage) Check(ctx context.Context, s *parley.Submission) (parley.Verdict, error) {
	pass := parley.Verdict{Decision: parley.DecisionPass}
	// A site the draft showed subscribing to no labels is not asked again.
	if s.Comment == nil || s.Story == nil || s.Site != nil && s.Site.LabelSubscriptions == 0 {
		return pass, nil
	}
	subs, err := st.subscriptions(ctx, s.Story.SiteID)
	if err != nil || len(subs) == 0 {
		return pass, err
	}
	var labels []parley.Label
	if s.Author != nil {
		ls, err := st.Labels(ctx, "user", s.Author.ID)
		if err != nil {
			return pass, err
		}
		labels = append(labels, ls...)
	}
	if s.Comment.ID != "" {
		ls, err := st.Labels(ctx, "comment", s.Comment.ID)
		if err != nil {
			return pass, err
		}
		labels = append(labels, ls...)
	}
	return effectVerdict(DecideLabels(subs, labels)), nil
}

// effectVerdict turns a label effect into the stage's verdict.
func effectVerdict(e LabelEffect) parley.Verdict {
	v := parley.Verdict{Decision: parley.DecisionPass, Score: e.Score, Evidence: e.Evidence}
	if e.Action == parley.LabelIgnore {
		return parley.Verdict{Decision: parley.DecisionPass}
	}
	v.Flags = []string{"FEDERATION_LABEL"}
	switch e.Action {
	case parley.LabelHold:
		v.Decision = parley.DecisionHold
	case parley.LabelHide:
		v.Decision = parley.DecisionReject
	}
	return v
}

// LabelApplier applies label envelopes: it stores the label, and when the label is about a
// comment shown here that a site's subscriptions now hide, it rejects that comment with a
// moderation note naming the peers, so the comment's trail and the moderation log say why.
type LabelApplier struct {
	self     string
	labels   parley.LabelStore
	store    parley.FederationStore
	comments parley.CommentService
	queues   parley.QueueService
	stage    *LabelStage
	logger   *slog.Logger
}

// NewLabelApplier returns the applier of instance self; queues may be nil (labels are then
// stored and act through the pipeline only).
func NewLabelApplier(self string, labels parley.LabelStore, store parley.FederationStore, comments parley.CommentService,
	queues parley.QueueService, logger *slog.Logger) *LabelApplier {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &LabelApplier{self: self, labels: labels, store: store, comments: comments, queues: queues,
		stage: NewLabelStage(self, labels, store), logger: logger}
}

// Apply stores a label envelope's label and acts on a comment shown here; other kinds are
// not its to apply.
func (a *LabelApplier) Apply(ctx context.Context, v *Verified) error {
	p, ok := v.Payload.(*LabelPayload)
	if !ok {
		return nil
	}
	l := parley.Label{SubjectType: p.Type, SubjectInstance: p.Subject.Instance, SubjectID: p.Subject.ID, Value: p.Value,
		Neg: p.Neg, Exp: p.Exp, Reason: p.Reason, Origin: v.Envelope.Origin, Created: v.Envelope.CreatedTime()}
	if err := a.labels.PutLabel(ctx, l); err != nil {
		return err
	}
	if p.Type != "comment" || p.Neg || a.queues == nil {
		return nil
	}
	localID := p.Subject.ID
	if p.Subject.Instance != a.self {
		id, err := a.store.FindRemoteComment(ctx, p.Subject.Instance, p.Subject.ID)
		if parley.ErrorCode(err) == parley.ENOTFOUND {
			return nil // not shown here
		}
		if err != nil {
			return err
		}
		localID = id
	}
	ctx = system(ctx)
	c, err := a.comments.FindCommentByID(ctx, localID)
	if parley.ErrorCode(err) == parley.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Status != parley.StatusPublished && c.Status != parley.StatusPending {
		return nil
	}
	subs, err := a.labels.LabelSubscriptions(ctx, c.SiteID)
	if err != nil || len(subs) == 0 {
		return err
	}
	labels, err := a.stage.Labels(ctx, "comment", c.ID)
	if err != nil {
		return err
	}
	if author, err := a.stage.Labels(ctx, "user", c.AuthorID); err == nil {
		labels = append(labels, author...)
	}
	e := DecideLabels(subs, labels)
	if e.Action != parley.LabelHide || !slices.Contains(e.Peers, l.Origin) {
		return nil
	}
	_, err = a.queues.BulkModerate(ctx, []string{c.ID}, parley.StatusRejected, parley.RejectOther, e.Evidence)
	return err
}

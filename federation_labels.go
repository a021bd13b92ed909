package parley

import (
	"context"
	"time"
)

// Label is a peer's moderation signal about a comment or a user: a decision ("rejected") or
// a sanction ("banned") that its moderators made, which other communities may weigh. Neg
// retracts an earlier label of the same value; Exp, when set, ends it.
type Label struct {
	// SubjectType is "comment" or "user"; SubjectInstance and SubjectID name the subject on
	// its home instance (a label may be about a third instance's user).
	SubjectType     string
	SubjectInstance string
	SubjectID       string
	Value           string
	Neg             bool
	Exp             *time.Time
	Reason          string
	// Origin is the instance that published the label; Created when it did.
	Origin  string
	Created time.Time
}

// LabelAction is what a subscribed peer's labels do on a site here.
type LabelAction string

// Label actions, from none to the strongest: IGNORE records only, FLAG adds a flag and lets
// the pipeline go on, HOLD sends the comment to the pending queue, HIDE rejects it.
const (
	LabelIgnore LabelAction = "IGNORE"
	LabelFlag   LabelAction = "FLAG"
	LabelHold   LabelAction = "HOLD"
	LabelHide   LabelAction = "HIDE"
)

// Valid reports whether a is one of the label actions.
func (a LabelAction) Valid() bool {
	switch a {
	case LabelIgnore, LabelFlag, LabelHold, LabelHide:
		return true
	}
	return false
}

// LabelSubscription is a site's subscription to one peer's labels.
type LabelSubscription struct {
	SiteID string
	PeerID string
	// PeerName is the peer's instance name, the origin its labels carry.
	PeerName string
	// Weight scales the peer's labels, 0 to 1: the trail shows the sum of the agreeing
	// peers' weights as the score, and a weight of 0 counts the peer out.
	Weight float64
	Action LabelAction
	// Quorum is how many independent subscribed peers must carry the same label before
	// the action is taken (1: this peer alone suffices).
	Quorum    int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// UnsubscribeLabelsInput ends a site's subscription to a peer's labels.
type UnsubscribeLabelsInput struct {
	SiteID string
	PeerID string
}

// SubscribeLabelsInput subscribes a site to a peer's labels, or changes the subscription.
type SubscribeLabelsInput struct {
	SiteID string
	PeerID string
	Weight float64
	Action LabelAction
	Quorum int
}

// LabelStore keeps peers' labels and sites' subscriptions to them. It stores; package
// federation decides what a label does.
type LabelStore interface {
	// PutLabel stores a label, replacing the same origin's earlier one for the subject and
	// value unless that one is newer.
	PutLabel(ctx context.Context, l Label) error
	// SubjectLabels returns the current labels (not retracted, not expired at at) on a
	// subject, from every origin.
	SubjectLabels(ctx context.Context, subjectType, instance, id string, at time.Time) ([]Label, error)
	// SubscribeLabels stores a subscription, replacing the site's earlier one to the peer.
	SubscribeLabels(ctx context.Context, s *LabelSubscription) error
	// UnsubscribeLabels ends a site's subscription to a peer; ENOTFOUND when there is none.
	UnsubscribeLabels(ctx context.Context, siteID, peerID string) error
	// LabelSubscriptions returns a site's subscriptions, with the peers' names.
	LabelSubscriptions(ctx context.Context, siteID string) ([]*LabelSubscription, error)
}

// LabelSubscriptionChanged is a site's subscription to a peer's labels made or changed, or
// ended (Removed): every replica forgets the site's subscriptions it keeps for the
// pipeline, so a site's change acts at once and a site without any costs no query.
type LabelSubscriptionChanged struct {
	PeerID  string `json:"peerID"`
	Removed bool   `json:"removed"`
}

// Kind implements EventPayload.
func (LabelSubscriptionChanged) Kind() string { return EventLabelSubscriptionChanged }

package parley

import (
	"context"
	"strings"
	"time"
)

// InstanceKey is one Ed25519 key pair of this instance's federation identity. Peers pin the
// public half; envelopes name the key that signed them by ID, so a key can be rotated (the
// old one stays valid until NotAfter) or revoked (invalid at once) without a flag day.
type InstanceKey struct {
	// ID is the key's short name in envelopes: the first 16 hex digits of the SHA-256 of
	// the public key, so that it is derived, never chosen.
	ID        string
	PublicKey []byte
	// SealedPrivate is the private key as stored: sealed with the operator's secret key
	// (PARLEY_SECRET_KEY) when one is set, in the clear otherwise. Sealed says which.
	SealedPrivate []byte
	Sealed        bool
	CreatedAt     time.Time
	// NotAfter, when set, ends the key's validity: a rotated key keeps signing nothing new
	// but its envelopes stay valid until then, so messages in flight are not dropped.
	NotAfter *time.Time
	// RevokedAt, when set, ends the key's validity at once.
	RevokedAt *time.Time
}

// ValidAt reports whether an envelope signed by the key and created at t may be accepted.
func (k InstanceKey) ValidAt(t time.Time) bool {
	if k.RevokedAt != nil || t.Before(k.CreatedAt.Add(-time.Minute)) {
		return false
	}
	return k.NotAfter == nil || !t.After(*k.NotAfter)
}

// PeerState is where a federation link stands. Nothing flows unless it is PeerActive.
type PeerState string

// Peer states. A link is PeerPending until both sides have added each other; PeerPaused
// stops the flow both ways while keeping the link; PeerDefederated ends it for good.
const (
	PeerPending     PeerState = "PENDING"
	PeerActive      PeerState = "ACTIVE"
	PeerPaused      PeerState = "PAUSED"
	PeerDefederated PeerState = "DEFEDERATED"
)

// PeerKey is a key of a peer as pinned from its /.well-known/parley document.
type PeerKey struct {
	ID        string    `json:"id"`
	PublicKey []byte    `json:"publicKey"`
	ValidFrom time.Time `json:"validFrom"`
	// ValidUntil is set for a rotated key, the end of its overlap window.
	ValidUntil *time.Time `json:"validUntil,omitempty"`
	// RevokedAt is set once the peer revoked the key.
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
}

// ValidAt reports whether an envelope created at t and signed by the key may be accepted.
func (k PeerKey) ValidAt(t time.Time) bool {
	if k.RevokedAt != nil || t.Before(k.ValidFrom.Add(-time.Minute)) {
		return false
	}
	return k.ValidUntil == nil || !t.After(*k.ValidUntil)
}

// Peer is another Parley instance this one federates with: what was pinned of it when an
// admin added it, what is exchanged with it and how far it is trusted.
type Peer struct {
	ID string
	// Name is the peer's instance name (its PARLEY_INSTANCE), the origin of its envelopes
	// and the "@instance" of its users here.
	Name string
	// URL is the peer's public URL, where its /.well-known/parley is served.
	URL               string
	FederationAddress string
	// Keys are the peer's keys as pinned; Fingerprint is that of its current key, shown to
	// the admin who added it so it can be checked out of band.
	Keys        []PeerKey
	Fingerprint string
	State       PeerState
	// LocalAdded is set when an admin here added the peer; RemoteConfirmed when the peer
	// proved, with a signed link message, that its admins added us. Both make it active.
	LocalAdded      bool
	RemoteConfirmed bool
	// Exchange lists what flows: "stories" (shared stories), "labels".
	Exchange []string
	// TrustWeight scales the peer's labels, 0 to 1.
	TrustWeight float64
	// Quotas bound what the peer may send.
	MaxMessagesPerSecond int
	MaxBytes             int
	MaxBacklog           int
	// LeafSecret is the password this instance signs in with at the peer's leaf listener,
	// made at peering, sealed with the operator's secret when LeafSecretSealed; LeafHash is
	// the bcrypt hash of the one the peer signs in with here, sent in its link message.
	// Neither is ever shown.
	LeafSecret       []byte
	LeafSecretSealed bool
	LeafHash         string
	// Counters shown on the Peers page.
	Received int
	Rejected int
	// Lag is how many of the peer's envelopes wait in its inbound stream, unapplied; -1
	// when unknown (no transport, or the stream cannot be read).
	Lag int
	// Connected says whether the leaf connection to an active peer is up; nil when not
	// known (not active, or an external NATS whose monitoring endpoint is not set).
	Connected   *bool
	LastError   string
	LastEventAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// AddPeerInput names a peer by its public URL.
type AddPeerInput struct {
	URL string
}

// PausePeerInput pauses a peer (Paused true) or resumes it (false).
type PausePeerInput struct {
	PeerID string
	Paused bool
}

// DefederateInput ends a link: PurgeBacklog drops what the peer sent that was not applied
// yet, HideContent hides what of it is shown already.
type DefederateInput struct {
	PeerID       string
	PurgeBacklog bool
	HideContent  bool
}

// InstanceInfo is this instance as peers see it.
type InstanceInfo struct {
	Name              string
	PublicKey         []byte
	KeyID             string
	Fingerprint       string
	FederationAddress string
}

// FederationStore keeps the federation's state: this instance's keys, its peers and the
// ledger of envelopes applied. It stores; package federation decides.
type FederationStore interface {
	// InstanceKeys returns every key ever made, newest first.
	InstanceKeys(ctx context.Context) ([]InstanceKey, error)
	// AddFirstInstanceKey stores k unless a key exists already (another replica won the
	// race); it returns the keys afterwards, newest first.
	AddFirstInstanceKey(ctx context.Context, k InstanceKey) ([]InstanceKey, error)
	// RotateInstanceKey stores next as the current key and ends the validity of every
	// other unexpired key at oldNotAfter, in one transaction.
	RotateInstanceKey(ctx context.Context, next InstanceKey, oldNotAfter time.Time) error
	// RevokeInstanceKey marks a key revoked; ENOTFOUND when there is none of that ID.
	RevokeInstanceKey(ctx context.Context, keyID string, at time.Time) error

	// ReleaseEnvelope forgets a claim whose apply failed, so a redelivery can apply it.
	ReleaseEnvelope(ctx context.Context, origin, id string) error
	// ClaimEnvelopes records a run of envelopes' (origin, id) before they are applied, in one
	// statement: fresh[i] says whether claims[i] was recorded now, false when it was before
	// (the envelope was applied already). Of two claims of the same pair in one run, only the
	// first is fresh.
	ClaimEnvelopes(ctx context.Context, claims []EnvelopeClaim) (fresh []bool, err error)

	// CreatePeer stores a new peer; ECONFLICT when one of the same name exists.
	CreatePeer(ctx context.Context, p *Peer) error
	// UpdatePeer stores p's state, keys, link flags and counters.
	UpdatePeer(ctx context.Context, p *Peer) error
	FindPeerByID(ctx context.Context, id string) (*Peer, error)
	FindPeerByName(ctx context.Context, name string) (*Peer, error)
	ListPeers(ctx context.Context) ([]*Peer, error)
	DeletePeer(ctx context.Context, id string) error
	// CountPeerEnvelopes adds a run's counts to a peer's in one update: received envelopes
	// (the last at at), and rejected ones, the last rejection's reason as its last error.
	CountPeerEnvelopes(ctx context.Context, name string, received, rejected int, reason string, at time.Time) error

	// ShareStory records that comments on a story go to the peers; sharing again is a no-op,
	// and shares a story that was unshared anew.
	ShareStory(ctx context.Context, storyID string, peerIDs []string) error
	// UnshareStory stops sending a story's comments to the peers; they stay its recipients.
	UnshareStory(ctx context.Context, storyID string, peerIDs []string) error
	// StoryPeers returns the peers a story is shared with now: new comments, edits and
	// reactions go to them.
	StoryPeers(ctx context.Context, storyID string) ([]*Peer, error)
	// StoryRecipients returns every peer the story was ever shared with, unshared or not:
	// deletions and labels of what they hold go to them.
	StoryRecipients(ctx context.Context, storyID string) ([]*Peer, error)
	// RecordSentAuthor records that comments of a local user were sent to the peers (by ID).
	RecordSentAuthor(ctx context.Context, userID string, peerIDs []string) error
	// UserPeers returns the peers comments of a local user were sent to, even once the
	// account is gone; ForgetSentAuthor forgets them (after the account's tombstone).
	UserPeers(ctx context.Context, userID string) ([]*Peer, error)
	ForgetSentAuthor(ctx context.Context, userID string) error
	// FindRemoteUser returns the local record's ID of a remote user; ENOTFOUND if none.
	FindRemoteUser(ctx context.Context, instance, remoteID string) (string, error)
	// RemoteUser returns the local record of an author of another instance, made on first
	// use with the username username@instance and neither email nor password.
	RemoteUser(ctx context.Context, instance, remoteID, username string) (*User, error)
	// RemoteOrigin answers the home instance and ID there of a local user or comment record
	// (table "users" or "comments") that stands for a remote one; ENOTFOUND for local ones.
	RemoteOrigin(ctx context.Context, table, localID string) (instance, remoteID string, err error)
	// MapRemoteComment records the local copy of a remote comment.
	MapRemoteComment(ctx context.Context, instance, remoteID, commentID string) error
	// FindRemoteComment returns the local copy's ID of a remote comment; ENOTFOUND if none.
	FindRemoteComment(ctx context.Context, instance, remoteID string) (string, error)
	// RemoteComments returns the IDs of the local copies of an instance's comments that are
	// shown (published) here.
	RemoteComments(ctx context.Context, instance string) ([]string, error)
	// BuryRemoteComment records that an instance deleted a comment this one does not hold
	// (yet): its tombstone came first. Burying again is a no-op.
	BuryRemoteComment(ctx context.Context, instance, remoteID string) error
	// RemoteCommentBuried reports whether a remote comment was buried before it arrived.
	RemoteCommentBuried(ctx context.Context, instance, remoteID string) (bool, error)
}

// EnvelopeClaim names an envelope in the ledger of envelopes applied.
type EnvelopeClaim struct {
	Origin, ID, Kind string
	Created          time.Time
}

// ShareStoryInput shares a story with peers: its comments are sent to them.
type ShareStoryInput struct {
	StoryID string
	PeerIDs []string
}

// Instance is the home instance of a remote author ("" for a local user): remote authors
// are stored as username@instance, and local usernames cannot hold "@" (ValidateUsername).
func (u *User) Instance() *string {
	if i := strings.LastIndexByte(u.Username, '@'); i >= 0 {
		s := u.Username[i+1:]
		return &s
	}
	return nil
}

// FederationService is what the API offers about federation: this instance's identity and
// its peers. Peer operations are for admins only; sharing stories is for a site's moderators.
type FederationService interface {
	Instance(ctx context.Context) (*InstanceInfo, error)
	Peers(ctx context.Context) ([]*Peer, error)
	AddPeer(ctx context.Context, in AddPeerInput) (*Peer, error)
	RemovePeer(ctx context.Context, peerID string) (*Peer, error)
	PausePeer(ctx context.Context, in PausePeerInput) (*Peer, error)
	Defederate(ctx context.Context, in DefederateInput) (*Peer, error)
	// ShareStory shares a story with peers (the site's moderators); UnshareStory stops it.
	ShareStory(ctx context.Context, in ShareStoryInput) (*Story, error)
	UnshareStory(ctx context.Context, in ShareStoryInput) (*Story, error)
	// StorySharedWith lists the peers a story is shared with now (the site's moderators).
	StorySharedWith(ctx context.Context, story *Story) ([]*Peer, error)
	// ShareablePeers lists the peers a site's stories can be shared with: every peer not
	// defederated (the site's moderators).
	ShareablePeers(ctx context.Context, siteID string) ([]*Peer, error)
	// SubscribeLabels subscribes a site to a peer's moderation labels (admins only).
	SubscribeLabels(ctx context.Context, in SubscribeLabelsInput) (*LabelSubscription, error)
	// UnsubscribeLabels ends a site's subscription to a peer's labels (admins only).
	UnsubscribeLabels(ctx context.Context, in UnsubscribeLabelsInput) (*LabelSubscription, error)
	// LabelSubscriptions lists a site's subscriptions to peers' labels (admins only).
	LabelSubscriptions(ctx context.Context, siteID string) ([]*LabelSubscription, error)
	// Tombstones lists the newest deletions sent to peers with their coverage (admins only).
	Tombstones(ctx context.Context, first int) ([]*Tombstone, error)
}

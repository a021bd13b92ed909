package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
)

// FederationStore implements parley.FederationStore: the instance's signing keys, its peers
// and the ledger of envelopes applied. Package federation decides what goes in.
type FederationStore struct{ db *DB }

// NewFederationStore returns a FederationStore on db.
func NewFederationStore(db *DB) *FederationStore { return &FederationStore{db: db} }

var _ parley.FederationStore = (*FederationStore)(nil)

const keyColumns = `id, public_key, private_key, sealed, created_at, not_after, revoked_at`

func scanKeys(rows pgx.Rows) ([]parley.InstanceKey, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.InstanceKey, error) {
		var k parley.InstanceKey
		err := r.Scan(&k.ID, &k.PublicKey, &k.SealedPrivate, &k.Sealed, &k.CreatedAt, &k.NotAfter, &k.RevokedAt)
		return k, err
	})
}

// InstanceKeys returns every key, newest first.
func (s *FederationStore) InstanceKeys(ctx context.Context) ([]parley.InstanceKey, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+keyColumns+` FROM federation_keys ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, translate(err)
	}
	keys, err := scanKeys(rows)
	return keys, translate(err)
}

// AddFirstInstanceKey inserts k under a transaction-scoped advisory lock unless a key
// exists, so that replicas starting together agree on one identity.
func (s *FederationStore) AddFirstInstanceKey(ctx context.Context, k parley.InstanceKey) ([]parley.InstanceKey, error) {
	var keys []parley.InstanceKey
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, federationKeyLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO federation_keys (id, public_key, private_key, sealed, created_at)
			SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM federation_keys)`,
			k.ID, k.PublicKey, k.SealedPrivate, k.Sealed, k.CreatedAt); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+keyColumns+` FROM federation_keys ORDER BY created_at DESC, id`)
		if err != nil {
			return err
		}
		keys, err = scanKeys(rows)
		return err
	})
	return keys, err
}

// federationKeyLock names the advisory lock around the first key and rotations.
const federationKeyLock = 0x66656431 // "fed1"

// RotateInstanceKey adds next and closes the overlap window of the keys it replaces.
func (s *FederationStore) RotateInstanceKey(ctx context.Context, next parley.InstanceKey, oldNotAfter time.Time) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, federationKeyLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE federation_keys SET not_after = $1
			WHERE revoked_at IS NULL AND (not_after IS NULL OR not_after > $1)`, oldNotAfter); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO federation_keys (id, public_key, private_key, sealed, created_at)
			VALUES ($1, $2, $3, $4, $5)`, next.ID, next.PublicKey, next.SealedPrivate, next.Sealed, next.CreatedAt)
		return err
	})
}

// RevokeInstanceKey marks a key revoked.
func (s *FederationStore) RevokeInstanceKey(ctx context.Context, keyID string, at time.Time) error {
	tag, err := s.db.pool.Exec(ctx, `UPDATE federation_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1`, keyID, at)
	if err != nil {
		return translate(err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("Key")
	}
	return nil
}

// ClaimEnvelopes inserts a run of envelopes into the ledger in one statement; the primary
// key is the guard, and a pair named twice in the run is inserted once, for its first.
func (s *FederationStore) ClaimEnvelopes(ctx context.Context, claims []parley.EnvelopeClaim) ([]bool, error) {
	fresh := make([]bool, len(claims))
	if len(claims) == 0 {
		return fresh, nil
	}
	type key struct{ origin, id string }
	first := make(map[key]int, len(claims))
	var origins, ids, kinds []string
	var created []time.Time
	for i, c := range claims {
		k := key{c.Origin, c.ID}
		if _, seen := first[k]; seen {
			continue
		}
		first[k] = i
		origins, ids, kinds, created = append(origins, c.Origin), append(ids, c.ID), append(kinds, c.Kind), append(created, c.Created)
	}
	rows, err := s.db.pool.Query(ctx, `
		INSERT INTO federation_envelopes (origin, id, kind, created)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
		ON CONFLICT (origin, id) DO NOTHING
		RETURNING origin, id`, origins, ids, kinds, created)
	if err != nil {
		return nil, translate(err)
	}
	var k key
	_, err = pgx.ForEachRow(rows, []any{&k.origin, &k.id}, func() error {
		fresh[first[k]] = true
		return nil
	})
	if err != nil {
		return nil, translate(err)
	}
	return fresh, nil
}

// ReleaseEnvelope deletes a claim.
func (s *FederationStore) ReleaseEnvelope(ctx context.Context, origin, id string) error {
	_, err := s.db.pool.Exec(ctx, `DELETE FROM federation_envelopes WHERE origin = $1 AND id = $2`, origin, id)
	return translate(err)
}

const peerColumns = `id, name, url, federation_address, keys, fingerprint, state, local_added, remote_confirmed,
	exchange, trust_weight, max_msgs_per_sec, max_bytes, max_backlog, received, rejected, last_error,
	last_event_at, created_at, updated_at, leaf_secret, leaf_secret_sealed, leaf_hash`

func scanPeer(r pgx.CollectableRow) (*parley.Peer, error) {
	var p parley.Peer
	var keys []byte
	err := r.Scan(&p.ID, &p.Name, &p.URL, &p.FederationAddress, &keys, &p.Fingerprint, &p.State, &p.LocalAdded,
		&p.RemoteConfirmed, &p.Exchange, &p.TrustWeight, &p.MaxMessagesPerSecond, &p.MaxBytes, &p.MaxBacklog,
		&p.Received, &p.Rejected, &p.LastError, &p.LastEventAt, &p.CreatedAt, &p.UpdatedAt,
		&p.LeafSecret, &p.LeafSecretSealed, &p.LeafHash)
	if err != nil {
		return nil, err
	}
	return &p, json.Unmarshal(keys, &p.Keys)
}

// CreatePeer inserts p, filling its ID and times.
func (s *FederationStore) CreatePeer(ctx context.Context, p *parley.Peer) error {
	keys, err := json.Marshal(p.Keys)
	if err != nil {
		return err
	}
	p.ID = newID()
	if p.Exchange == nil {
		p.Exchange = []string{}
	}
	err = s.db.pool.QueryRow(ctx, `
		INSERT INTO federation_peers (id, name, url, federation_address, keys, fingerprint, state, local_added,
			remote_confirmed, exchange, trust_weight, max_msgs_per_sec, max_bytes, max_backlog,
			leaf_secret, leaf_secret_sealed, leaf_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		RETURNING created_at, updated_at`,
		p.ID, p.Name, p.URL, p.FederationAddress, keys, p.Fingerprint, p.State, p.LocalAdded, p.RemoteConfirmed,
		p.Exchange, p.TrustWeight, p.MaxMessagesPerSecond, p.MaxBytes, p.MaxBacklog,
		p.LeafSecret, p.LeafSecretSealed, p.LeafHash).Scan(&p.CreatedAt, &p.UpdatedAt)
	if parley.ErrorCode(translate(err)) == parley.ECONFLICT {
		return parley.Errorf(parley.ECONFLICT, "A peer named %q exists already; remove it first to add it again.", p.Name)
	}
	return translate(err)
}

// UpdatePeer stores p's changeable fields.
func (s *FederationStore) UpdatePeer(ctx context.Context, p *parley.Peer) error {
	keys, err := json.Marshal(p.Keys)
	if err != nil {
		return err
	}
	tag, err := s.db.pool.Exec(ctx, `
		UPDATE federation_peers SET url = $2, federation_address = $3, keys = $4, fingerprint = $5, state = $6,
			local_added = $7, remote_confirmed = $8, exchange = $9, trust_weight = $10, max_msgs_per_sec = $11,
			max_bytes = $12, max_backlog = $13, leaf_secret = $14, leaf_secret_sealed = $15, leaf_hash = $16,
			updated_at = now()
		WHERE id = $1`,
		p.ID, p.URL, p.FederationAddress, keys, p.Fingerprint, p.State, p.LocalAdded, p.RemoteConfirmed,
		p.Exchange, p.TrustWeight, p.MaxMessagesPerSecond, p.MaxBytes, p.MaxBacklog,
		p.LeafSecret, p.LeafSecretSealed, p.LeafHash)
	if err != nil {
		return translate(err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("Peer")
	}
	return nil
}

func (s *FederationStore) findPeer(ctx context.Context, where string, arg any) (*parley.Peer, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+peerColumns+` FROM federation_peers WHERE `+where, arg)
	if err != nil {
		return nil, translate(err)
	}
	p, err := pgx.CollectExactlyOneRow(rows, scanPeer)
	return p, translateNotFound(err, "Peer")
}

// FindPeerByID returns a peer by its ID.
func (s *FederationStore) FindPeerByID(ctx context.Context, id string) (*parley.Peer, error) {
	return s.findPeer(ctx, `id = $1`, id)
}

// FindPeerByName returns a peer by its instance name.
func (s *FederationStore) FindPeerByName(ctx context.Context, name string) (*parley.Peer, error) {
	return s.findPeer(ctx, `name = $1`, name)
}

// ListPeers returns every peer by name.
func (s *FederationStore) ListPeers(ctx context.Context) ([]*parley.Peer, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+peerColumns+` FROM federation_peers ORDER BY name`)
	if err != nil {
		return nil, translate(err)
	}
	peers, err := pgx.CollectRows(rows, scanPeer)
	return peers, translate(err)
}

// DeletePeer deletes a peer record.
func (s *FederationStore) DeletePeer(ctx context.Context, id string) error {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM federation_peers WHERE id = $1`, id)
	if err != nil {
		return translate(err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("Peer")
	}
	return nil
}

// CountPeerEnvelopes adds a run's counts to a peer's; an unknown name changes nothing.
func (s *FederationStore) CountPeerEnvelopes(ctx context.Context, name string, received, rejected int, reason string, at time.Time) error {
	if received == 0 && rejected == 0 {
		return nil
	}
	_, err := s.db.pool.Exec(ctx, `
		UPDATE federation_peers SET
			received = received + $2,
			rejected = rejected + $3,
			last_error = CASE WHEN $3 > 0 THEN $4 ELSE last_error END,
			last_event_at = CASE WHEN $2 > 0 THEN $5 ELSE last_event_at END
		WHERE name = $1`, name, received, rejected, reason, at)
	return translate(err)
}

// ShareStory inserts the story's peers, or shares it anew with those it was unshared from.
func (s *FederationStore) ShareStory(ctx context.Context, storyID string, peerIDs []string) error {
	_, err := s.db.pool.Exec(ctx, `
		INSERT INTO federation_shared_stories (story_id, peer_id) SELECT $1, unnest($2::uuid[])
		ON CONFLICT (story_id, peer_id) DO UPDATE SET unshared_at = NULL`, storyID, peerIDs)
	return translate(err)
}

// UnshareStory marks the story unshared from the peers; the rows stay, as its recipients.
func (s *FederationStore) UnshareStory(ctx context.Context, storyID string, peerIDs []string) error {
	_, err := s.db.pool.Exec(ctx, `
		UPDATE federation_shared_stories SET unshared_at = now()
		WHERE story_id = $1 AND peer_id = ANY ($2::uuid[]) AND unshared_at IS NULL`, storyID, peerIDs)
	return translate(err)
}

// StoryPeers returns the peers a story is shared with now, by name.
func (s *FederationStore) StoryPeers(ctx context.Context, storyID string) ([]*parley.Peer, error) {
	return s.storyPeers(ctx, storyID, `AND ss.unshared_at IS NULL`)
}

// StoryRecipients returns every peer the story was ever shared with, by name.
func (s *FederationStore) StoryRecipients(ctx context.Context, storyID string) ([]*parley.Peer, error) {
	return s.storyPeers(ctx, storyID, ``)
}

func (s *FederationStore) storyPeers(ctx context.Context, storyID, and string) ([]*parley.Peer, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+prefixed("p.", peerColumns)+`
		FROM federation_shared_stories ss JOIN federation_peers p ON p.id = ss.peer_id
		WHERE ss.story_id = $1 `+and+` ORDER BY p.name`, storyID)
	if err != nil {
		return nil, translate(err)
	}
	peers, err := pgx.CollectRows(rows, scanPeer)
	return peers, translate(err)
}

// RecordSentAuthor inserts the (user, peer) pairs; known pairs are kept.
func (s *FederationStore) RecordSentAuthor(ctx context.Context, userID string, peerIDs []string) error {
	_, err := s.db.pool.Exec(ctx, `
		INSERT INTO federation_sent_authors (user_id, peer_id) SELECT $1, unnest($2::uuid[])
		ON CONFLICT DO NOTHING`, userID, peerIDs)
	return translate(err)
}

// UserPeers returns the peers a user's comments were sent to, by name.
func (s *FederationStore) UserPeers(ctx context.Context, userID string) ([]*parley.Peer, error) {
	if !parley.IsID(userID) {
		return nil, nil
	}
	rows, err := s.db.pool.Query(ctx, `SELECT `+prefixed("p.", peerColumns)+`
		FROM federation_sent_authors sa JOIN federation_peers p ON p.id = sa.peer_id
		WHERE sa.user_id = $1 ORDER BY p.name`, userID)
	if err != nil {
		return nil, translate(err)
	}
	peers, err := pgx.CollectRows(rows, scanPeer)
	return peers, translate(err)
}

// ForgetSentAuthor deletes a user's rows.
func (s *FederationStore) ForgetSentAuthor(ctx context.Context, userID string) error {
	if !parley.IsID(userID) {
		return nil
	}
	_, err := s.db.pool.Exec(ctx, `DELETE FROM federation_sent_authors WHERE user_id = $1`, userID)
	return translate(err)
}

// FindRemoteUser returns the local user ID of a remote user.
func (s *FederationStore) FindRemoteUser(ctx context.Context, instance, remoteID string) (string, error) {
	var id string
	err := s.db.pool.QueryRow(ctx, `SELECT user_id FROM federation_users WHERE instance = $1 AND remote_id = $2`, instance, remoteID).Scan(&id)
	return id, translateNotFound(err, "User")
}

// prefixed qualifies each column of a list of plain column names with a table alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// RemoteUser finds or makes the local record of a remote author.
func (s *FederationStore) RemoteUser(ctx context.Context, instance, remoteID, username string) (*parley.User, error) {
	// Nearly always the author is known already: one statement, no transaction.
	u, err := scanUser(s.db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users
		WHERE id = (SELECT user_id FROM federation_users WHERE instance = $1 AND remote_id = $2)`, instance, remoteID))
	if err == nil {
		return u, nil
	}
	if !noRows(err) {
		return nil, translate(err)
	}
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users
			WHERE id = (SELECT user_id FROM federation_users WHERE instance = $1 AND remote_id = $2)`, instance, remoteID))
		if err == nil || !noRows(err) {
			return err
		}
		u, err = scanUser(tx.QueryRow(ctx, `
			INSERT INTO users (id, username) VALUES ($1, $2) RETURNING `+userColumns, newID(), username))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO federation_users (instance, remote_id, user_id) VALUES ($1, $2, $3)`,
			instance, remoteID, u.ID); err != nil {
			return err
		}
		return insertEvent(ctx, tx, parley.Event{Payload: parley.UserCreated{ID: u.ID, Username: u.Username}})
	})
	return u, err
}

// RemoteOrigin answers where a local record of a remote user or comment comes from.
func (s *FederationStore) RemoteOrigin(ctx context.Context, table, localID string) (string, string, error) {
	var q string
	switch table {
	case "users":
		q = `SELECT instance, remote_id FROM federation_users WHERE user_id = $1`
	case "comments":
		q = `SELECT instance, remote_id FROM federation_comments WHERE comment_id = $1`
	default:
		return "", "", parley.Errorf(parley.EINVALID, "No remote records of %s.", table)
	}
	var instance, remoteID string
	err := s.db.pool.QueryRow(ctx, q, localID).Scan(&instance, &remoteID)
	return instance, remoteID, translateNotFound(err, "Remote record")
}

// MapRemoteComment records a remote comment's local copy.
func (s *FederationStore) MapRemoteComment(ctx context.Context, instance, remoteID, commentID string) error {
	_, err := s.db.pool.Exec(ctx, `INSERT INTO federation_comments (instance, remote_id, comment_id) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, instance, remoteID, commentID)
	return translate(err)
}

// FindRemoteComment returns a remote comment's local copy.
func (s *FederationStore) FindRemoteComment(ctx context.Context, instance, remoteID string) (string, error) {
	var id string
	err := s.db.pool.QueryRow(ctx, `SELECT comment_id::text FROM federation_comments WHERE instance = $1 AND remote_id = $2`,
		instance, remoteID).Scan(&id)
	return id, translateNotFound(err, "Comment")
}

// RemoteComments returns the published local copies of an instance's comments.
func (s *FederationStore) RemoteComments(ctx context.Context, instance string) ([]string, error) {
	rows, err := s.db.pool.Query(ctx, `
		SELECT f.comment_id::text FROM federation_comments f JOIN comments c ON c.id = f.comment_id
		WHERE f.instance = $1 AND c.status = 'PUBLISHED' ORDER BY f.comment_id`, instance)
	if err != nil {
		return nil, translate(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, translate(err)
}

// BuryRemoteComment records a tombstone that came before its comment.
func (s *FederationStore) BuryRemoteComment(ctx context.Context, instance, remoteID string) error {
	_, err := s.db.pool.Exec(ctx, `INSERT INTO federation_buried_comments (instance, remote_id) VALUES ($1, $2)
		ON CONFLICT DO NOTHING`, instance, remoteID)
	return translate(err)
}

// RemoteCommentBuried reports whether the comment's tombstone came first.
func (s *FederationStore) RemoteCommentBuried(ctx context.Context, instance, remoteID string) (bool, error) {
	var buried bool
	err := s.db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM federation_buried_comments WHERE instance = $1 AND remote_id = $2)`,
		instance, remoteID).Scan(&buried)
	return buried, translate(err)
}

package postgres

import (
	"context"

	"github.com/parleyhq/parley"
)

// GuestStore implements parley.GuestStore.
type GuestStore struct{ db *DB }

// NewGuestStore returns a GuestStore on db.
func NewGuestStore(db *DB) *GuestStore { return &GuestStore{db: db} }

var _ parley.GuestStore = (*GuestStore)(nil)

// CreateGuest inserts a guest author. Its username, 'guest:' and its ID, can never be a real
// username (':' is not allowed in one), so it never takes a name from anyone.
func (s *GuestStore) CreateGuest(ctx context.Context, name, email string) (*parley.User, error) {
	id := newID()
	var guestEmail any
	if email != "" {
		guestEmail = email
	}
	u, err := scanUser(s.db.pool.QueryRow(ctx, `
		INSERT INTO users (id, username, guest, guest_name, guest_email) VALUES ($1, $2, true, $3, $4)
		RETURNING `+userColumns, id, "guest:"+id, name, guestEmail))
	return u, translate(err)
}

// DeleteGuest removes a guest without comments.
func (s *GuestStore) DeleteGuest(ctx context.Context, id string) error {
	_, err := s.db.pool.Exec(ctx, `DELETE FROM users WHERE id = $1 AND guest AND NOT EXISTS (SELECT 1 FROM comments WHERE author_id = $1)`, id)
	return translate(err)
}

package nats

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"

	natsgo "github.com/nats-io/nats.go"

	"github.com/parleyhq/parley"
)

// InboxFeed implements parley.InboxFeed over core NATS, on subjects
// parley.<instance>.inbox.<userID>: a live hint, not the record (the record is in PostgreSQL).
type InboxFeed struct {
	conn     func() *natsgo.Conn
	instance string
	logger   *slog.Logger
}

var _ parley.InboxFeed = (*InboxFeed)(nil)

// NewInboxFeed returns the feed on the connection conn gives.
func NewInboxFeed(conn func() *natsgo.Conn, instance string, logger *slog.Logger) *InboxFeed {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &InboxFeed{conn: conn, instance: instance, logger: logger}
}

func (f *InboxFeed) subject(userID string) string { return "parley." + f.instance + ".inbox." + userID }

// PublishInbox implements parley.InboxFeed.
func (f *InboxFeed) PublishInbox(n *parley.InboxNotification) error {
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	return f.conn().Publish(f.subject(n.UserID), b)
}

// InboxEvents implements parley.InboxFeed. A subscriber that does not keep up loses
// notifications (the bell still lists them) rather than holding up the connection.
func (f *InboxFeed) InboxEvents(ctx context.Context, userID string) (<-chan *parley.InboxNotification, error) {
	out := make(chan *parley.InboxNotification, 16)
	var mu sync.Mutex
	closed := false
	sub, err := f.conn().Subscribe(f.subject(userID), func(m *natsgo.Msg) {
		var n parley.InboxNotification
		if err := json.Unmarshal(m.Data, &n); err != nil {
			f.logger.Warn("inbox: undecodable notification skipped", "err", err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if closed {
			return
		}
		select {
		case out <- &n:
		default:
		}
	})
	if err != nil {
		return nil, err
	}
	go func() {
		<-ctx.Done()
		_ = sub.Unsubscribe()
		mu.Lock()
		closed = true
		close(out)
		mu.Unlock()
	}()
	return out, nil
}

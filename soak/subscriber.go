package soak

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// subscriber holds one live subscription to a story's new comments, through whichever
// replica the balancer picks, and reconnects when it ends. After a reconnection it reads
// the story's newest comments once its new subscription is live, as the widget does, so
// that what it missed while away is caught up rather than lost.
type subscriber struct {
	run   *Run
	story string
	ready chan struct{} // closed at the first event

	mu          sync.Mutex
	since       time.Time            // when the first event arrived: comments created after it are due
	live        map[string]int       // comment ID -> deliveries
	liveAt      map[string]time.Time // comment ID -> first delivery
	caught      map[string]bool
	connections int
	closes      map[string]int // why sessions ended
}

const subscribeQuery = `subscription($s: ID!) { commentCreated(storyID: $s) { id } }`

// catchUpQuery is the widget's first page, newest first.
const catchUpQuery = `query($id: ID!) { story(id: $id) { comments(first: 100, orderBy: NEWEST) { edges { node { id } } } } }`

func (s *subscriber) loop(ctx context.Context) {
	for first := true; ctx.Err() == nil; first = false {
		err := s.session(ctx, !first)
		if ctx.Err() != nil {
			return
		}
		why := "error"
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			why = ce.Code.String()
		}
		s.mu.Lock()
		if s.closes == nil {
			s.closes = map[string]int{}
		}
		s.closes[why]++
		s.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// session subscribes once and reads events until the connection ends.
func (s *subscriber) session(ctx context.Context, catchUp bool) error {
	dialCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(dialCtx, wsURL(s.run.c.base()), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return err
	}
	defer c.CloseNow()
	if err := wsjson.Write(dialCtx, c, map[string]any{"type": "connection_init", "payload": map[string]any{}}); err != nil {
		return err
	}
	var ack struct{ Type string }
	if err := wsjson.Read(dialCtx, c, &ack); err != nil {
		return err
	}
	sub := map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": subscribeQuery, "variables": map[string]any{"s": s.story}}}
	if err := wsjson.Write(dialCtx, c, sub); err != nil {
		return err
	}
	s.mu.Lock()
	s.connections++
	s.mu.Unlock()
	// The subscription is live once an event arrives through it; the catch-up read waits for
	// that (or a few seconds of quiet), so nothing falls between the two.
	live := make(chan struct{})
	var liveOnce sync.Once
	if catchUp {
		go s.catchUp(ctx, live)
	}
	for {
		var m struct {
			Type    string
			Payload struct {
				Data struct{ CommentCreated struct{ ID string } }
			}
		}
		if err := wsjson.Read(ctx, c, &m); err != nil {
			liveOnce.Do(func() { close(live) })
			return err
		}
		if m.Type != "next" {
			continue
		}
		id := m.Payload.Data.CommentCreated.ID
		liveOnce.Do(func() { close(live) })
		s.mu.Lock()
		s.live[id]++
		if s.liveAt == nil {
			s.liveAt = map[string]time.Time{}
		}
		if _, ok := s.liveAt[id]; !ok {
			s.liveAt[id] = time.Now()
		}
		if s.since.IsZero() {
			s.since = time.Now()
			close(s.ready)
		}
		s.mu.Unlock()
	}
}

// catchUp reads the story's newest comments once the new subscription is live.
func (s *subscriber) catchUp(ctx context.Context, live <-chan struct{}) {
	select {
	case <-live:
	case <-time.After(5 * time.Second):
	case <-ctx.Done():
		return
	}
	var out struct {
		Story struct {
			Comments struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
	}
	if err := s.run.retry(ctx, "", catchUpQuery, map[string]any{"id": s.story}, &out); err != nil {
		s.run.cfg.Logf("catch-up read failed: %v", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range out.Story.Comments.Edges {
		s.caught[e.Node.ID] = true
	}
}

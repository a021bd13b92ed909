package wstransport

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/parleyhq/parley"
)

// stream is one subscription resolved for many subscribers: all those whose viewer is the
// same (every anonymous reader is one viewer; a signed-in user is their own) and whose
// operation is the same (document, operation name and variables). What a subscriber
// receives depends on nothing else, so the stream runs gqlgen's executor once per event,
// encodes the payload once, and every subscriber's connection writes the same bytes under
// its own subscription ID. Ten thousand readers of a story thus cost one resolution, not
// ten thousand, and no goroutine each.
type stream struct {
	key    string
	ctx    context.Context
	cancel context.CancelFunc
	ended  bool // guarded by hub.mu

	mu      sync.RWMutex
	members []*member
	// snapshot is the stream goroutine's copy of members for one event, so that no lock is
	// held while connections queue the event.
	snapshot []*member
}

// member is one client subscription to a stream.
type member struct {
	conn   *conn
	id     []byte  // the subscription's ID as a JSON string
	stream *stream // guarded by hub.mu
	left   bool    // guarded by hub.mu
	index  int     // in stream.members, guarded by stream.mu
}

// subscribe starts the operation of a subscribe (graphql-ws: start) message. Queries and
// mutations are answered at once; subscriptions join their stream.
func (c *conn) subscribe(id string, payload json.RawMessage) {
	start := graphql.Now()
	qid, _ := json.Marshal(id)
	ctx := graphql.StartOperationTrace(c.ctx)
	params := &graphql.RawParams{}
	if err := decodeJSON(payload, params); err != nil {
		c.sendErrors(qid, gqlerror.List{{Message: "invalid json"}})
		c.enqueue(outgoing{kind: outComplete, id: qid})
		return
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	rc, errs := c.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := c.exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs)
		if errcode.GetErrorKind(errs) == errcode.KindProtocol {
			c.sendErrors(qid, resp.Errors)
		} else {
			c.sendResponse(qid, &graphql.Response{Errors: errs})
		}
		c.enqueue(outgoing{kind: outComplete, id: qid})
		return
	}
	ctx = graphql.WithOperationContext(ctx, rc)
	if rc.Operation.Operation != ast.Subscription {
		responses, ctx := c.exec.DispatchOperation(ctx, rc)
		for r := responses(ctx); r != nil; r = responses(ctx) {
			c.sendResponse(qid, r)
		}
		c.enqueue(outgoing{kind: outComplete, id: qid})
		return
	}
	c.drop(id) // an ID in use is taken over, as gqlgen's transport did
	c.mu.Lock()
	n := len(c.subs)
	c.mu.Unlock()
	if limit := c.hub.opts.MaxSubscriptions; n >= limit {
		// Answered as the resolver used to refuse it: a "next" with the error, then complete.
		err := parley.Errorf(parley.ERATELIMITED, "A connection may hold at most %d subscriptions.", limit)
		resp := c.exec.DispatchError(ctx, gqlerror.List{gqlerror.WrapPath(rootFieldPath(rc), err)})
		c.sendResponse(qid, &graphql.Response{Errors: resp.Errors})
		c.enqueue(outgoing{kind: outComplete, id: qid})
		return
	}
	c.hub.join(c, ctx, rc, params, id, qid)
}

// rootFieldPath is the path of an operation's first root field, where a resolver's error
// would point.
func rootFieldPath(rc *graphql.OperationContext) ast.Path {
	if len(rc.Operation.SelectionSet) > 0 {
		if f, ok := rc.Operation.SelectionSet[0].(*ast.Field); ok {
			return ast.Path{ast.PathName(f.Alias)}
		}
	}
	return nil
}

// unsubscribe ends a subscription at the client's request (complete; graphql-ws: stop).
func (c *conn) unsubscribe(id string) {
	if m := c.drop(id); m != nil {
		c.enqueue(outgoing{kind: outComplete, id: m.id})
	}
}

// drop takes a subscription off the connection and its stream.
func (c *conn) drop(id string) *member {
	c.mu.Lock()
	m := c.subs[id]
	delete(c.subs, id)
	c.mu.Unlock()
	if m != nil {
		c.hub.leave(m)
	}
	return m
}

func (c *conn) sendResponse(id []byte, r *graphql.Response) {
	b, err := json.Marshal(r)
	if err != nil {
		b, _ = json.Marshal(&graphql.Response{Errors: gqlerror.List{{Message: internalMessage}}})
	}
	c.enqueue(outgoing{kind: outNext, id: id, payload: b})
}

func (c *conn) sendErrors(id []byte, errs gqlerror.List) {
	b, _ := json.Marshal(errs)
	c.enqueue(outgoing{kind: outError, id: id, payload: b})
}

// join adds a subscription to the stream of its viewer and operation, starting the stream
// when it is the first.
func (h *hub) join(c *conn, ctx context.Context, rc *graphql.OperationContext, params *graphql.RawParams, id string, qid []byte) {
	vars, _ := json.Marshal(params.Variables) // map keys come out sorted
	key := c.viewer + "\x00" + params.OperationName + "\x00" + string(vars) + "\x00" + params.Query
	m := &member{conn: c, id: qid}
	c.mu.Lock()
	if c.done {
		c.mu.Unlock()
		return
	}
	if c.subs == nil {
		c.subs = map[string]*member{}
	}
	c.subs[id] = m
	c.mu.Unlock()

	h.mu.Lock()
	if m.left { // the connection closed meanwhile
		h.mu.Unlock()
		return
	}
	s := h.streams[key]
	leader := s == nil
	if leader {
		// The stream outlives the subscriber that started it: it ends with its last one.
		s = &stream{key: key}
		s.ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
		h.streams[key] = s
	}
	m.stream = s
	s.mu.Lock()
	m.index = len(s.members)
	s.members = append(s.members, m)
	s.mu.Unlock()
	h.subscriptions.Add(1)
	h.mu.Unlock()
	if leader {
		// The resolver runs now (it checks the viewer's rights and subscribes to the
		// event bus); a refusal comes back as the stream's one response.
		responses, ctx := c.exec.DispatchOperation(s.ctx, rc)
		go s.run(h, ctx, responses)
	}
}

// leave takes a subscription off its stream, ending the stream with its last subscriber.
func (h *hub) leave(m *member) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if m.left {
		return
	}
	m.left = true
	s := m.stream
	if s == nil {
		return
	}
	h.subscriptions.Add(-1)
	s.mu.Lock()
	last := s.members[len(s.members)-1]
	s.members[m.index], last.index = last, m.index
	s.members[len(s.members)-1] = nil
	s.members = s.members[:len(s.members)-1]
	empty := len(s.members) == 0
	s.mu.Unlock()
	if empty && !s.ended {
		s.ended = true
		delete(h.streams, s.key)
		s.cancel()
	}
}

// run resolves the stream's events, each once, until the stream ends.
func (s *stream) run(h *hub, ctx context.Context, responses graphql.ResponseHandler) {
	defer h.end(s)
	defer func() {
		if r := recover(); r != nil {
			if graphql.HasOperationContext(ctx) {
				h.logInternal(ctx, graphql.GetOperationContext(ctx).Recover(ctx, r))
			}
			b, _ := json.Marshal(gqlerror.List{{Message: internalMessage}})
			s.broadcast(outError, b)
		}
	}()
	for {
		resp := responses(ctx)
		if resp == nil {
			return
		}
		// The executor reuses its buffer: the payload is encoded before the next event.
		b, err := json.Marshal(resp)
		if err != nil {
			h.logInternal(ctx, err)
			continue
		}
		s.broadcast(outNext, b)
	}
}

// broadcast queues one message for every subscriber of the stream.
func (s *stream) broadcast(kind int, payload []byte) {
	s.mu.RLock()
	s.snapshot = append(s.snapshot[:0], s.members...)
	s.mu.RUnlock()
	for _, m := range s.snapshot {
		m.conn.enqueue(outgoing{kind: kind, id: m.id, payload: payload})
	}
	clear(s.snapshot)
}

// end forgets a stream whose resolver stopped. When it stopped on its own (a refusal, or
// the event bus closing), its subscribers are told their subscription is complete.
func (h *hub) end(s *stream) {
	h.mu.Lock()
	ended := s.ended
	s.ended = true
	var members []*member
	if !ended {
		delete(h.streams, s.key)
		s.mu.Lock()
		members = s.members
		s.members = nil
		s.mu.Unlock()
		for _, m := range members {
			m.left = true
		}
		h.subscriptions.Add(-int64(len(members)))
	}
	h.mu.Unlock()
	s.cancel()
	for _, m := range members {
		c := m.conn
		c.mu.Lock()
		if c.subs[idString(m.id)] == m {
			delete(c.subs, idString(m.id))
		}
		c.mu.Unlock()
		c.enqueue(outgoing{kind: outComplete, id: m.id})
	}
}

// idString is the subscription ID a quoted one came from.
func idString(q []byte) string {
	var id string
	_ = json.Unmarshal(q, &id)
	return id
}

// internalMessage is all a client learns of an error inside the transport, in the words of
// graph's error presenter.
const internalMessage = "Internal error."

// logInternal logs an error that no client can be told of, with the request ID of the
// connection it came from.
func (h *hub) logInternal(ctx context.Context, err error) {
	h.opts.Logger.ErrorContext(ctx, "graphql: internal error",
		slog.String("requestID", parley.RequestIDFromContext(ctx)), slog.Any("error", err))
}

package graph

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/parleyhq/parley"
)

// wsStream is one subscription resolved for many subscribers: all those whose viewer is the
// same (every anonymous reader is one viewer; a signed-in user is their own) and whose
// operation is the same (document, operation name and variables). What a subscriber
// receives depends on nothing else, so the stream runs gqlgen's executor once per event,
// encodes the payload once, and every subscriber's connection writes the same bytes under
// its own subscription ID. Ten thousand readers of a story thus cost one resolution, not
// ten thousand, and no goroutine each.
type wsStream struct {
	key    string
	ctx    context.Context
	cancel context.CancelFunc
	ended  bool // guarded by wsHub.mu

	mu      sync.RWMutex
	members []*wsMember
	// snapshot is the stream goroutine's copy of members for one event, so that no lock is
	// held while connections queue the event.
	snapshot []*wsMember
}

// wsMember is one client subscription to a stream.
type wsMember struct {
	conn   *wsConn
	id     []byte    // the subscription's ID as a JSON string
	stream *wsStream // guarded by wsHub.mu
	left   bool      // guarded by wsHub.mu
	index  int       // in stream.members, guarded by stream.mu
}

// subscribe starts the operation of a subscribe (graphql-ws: start) message. Queries and
// mutations are answered at once; subscriptions join their stream.
func (c *wsConn) subscribe(id string, payload json.RawMessage) {
	start := graphql.Now()
	qid, _ := json.Marshal(id)
	ctx := graphql.StartOperationTrace(c.ctx)
	params := &graphql.RawParams{}
	if err := decodeJSON(payload, params); err != nil {
		c.sendErrors(qid, gqlerror.List{{Message: "invalid json"}})
		c.enqueue(wsOut{kind: outComplete, id: qid})
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
		c.enqueue(wsOut{kind: outComplete, id: qid})
		return
	}
	ctx = graphql.WithOperationContext(ctx, rc)
	if rc.Operation.Operation != ast.Subscription {
		responses, ctx := c.exec.DispatchOperation(ctx, rc)
		for r := responses(ctx); r != nil; r = responses(ctx) {
			c.sendResponse(qid, r)
		}
		c.enqueue(wsOut{kind: outComplete, id: qid})
		return
	}
	c.drop(id) // an ID in use is taken over, as gqlgen's transport did
	c.mu.Lock()
	n := len(c.subs)
	c.mu.Unlock()
	if n >= MaxSubscriptionsPerConnection {
		// Answered as the resolver used to refuse it: a "next" with the error, then complete.
		err := parley.Errorf(parley.ERATELIMITED, "A connection may hold at most %d subscriptions.", MaxSubscriptionsPerConnection)
		resp := c.exec.DispatchError(ctx, gqlerror.List{gqlerror.WrapPath(rootFieldPath(rc), err)})
		c.sendResponse(qid, &graphql.Response{Errors: resp.Errors})
		c.enqueue(wsOut{kind: outComplete, id: qid})
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
func (c *wsConn) unsubscribe(id string) {
	if m := c.drop(id); m != nil {
		c.enqueue(wsOut{kind: outComplete, id: m.id})
	}
}

// drop takes a subscription off the connection and its stream.
func (c *wsConn) drop(id string) *wsMember {
	c.mu.Lock()
	m := c.subs[id]
	delete(c.subs, id)
	c.mu.Unlock()
	if m != nil {
		c.hub.leave(m)
	}
	return m
}

func (c *wsConn) sendResponse(id []byte, r *graphql.Response) {
	b, err := json.Marshal(r)
	if err != nil {
		b, _ = json.Marshal(&graphql.Response{Errors: gqlerror.List{{Message: internalMessage}}})
	}
	c.enqueue(wsOut{kind: outNext, id: id, payload: b})
}

func (c *wsConn) sendErrors(id []byte, errs gqlerror.List) {
	b, _ := json.Marshal(errs)
	c.enqueue(wsOut{kind: outError, id: id, payload: b})
}

// join adds a subscription to the stream of its viewer and operation, starting the stream
// when it is the first.
func (h *wsHub) join(c *wsConn, ctx context.Context, rc *graphql.OperationContext, params *graphql.RawParams, id string, qid []byte) {
	vars, _ := json.Marshal(params.Variables) // map keys come out sorted
	key := c.viewer + "\x00" + params.OperationName + "\x00" + string(vars) + "\x00" + params.Query
	m := &wsMember{conn: c, id: qid}
	c.mu.Lock()
	if c.done {
		c.mu.Unlock()
		return
	}
	if c.subs == nil {
		c.subs = map[string]*wsMember{}
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
		s = &wsStream{key: key}
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
func (h *wsHub) leave(m *wsMember) {
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
func (s *wsStream) run(h *wsHub, ctx context.Context, responses graphql.ResponseHandler) {
	defer h.end(s)
	defer func() {
		if r := recover(); r != nil {
			if graphql.HasOperationContext(ctx) {
				logInternal(ctx, h.logger, graphql.GetOperationContext(ctx).Recover(ctx, r))
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
			logInternal(ctx, h.logger, err)
			continue
		}
		s.broadcast(outNext, b)
	}
}

// broadcast queues one message for every subscriber of the stream.
func (s *wsStream) broadcast(kind int, payload []byte) {
	s.mu.RLock()
	s.snapshot = append(s.snapshot[:0], s.members...)
	s.mu.RUnlock()
	for _, m := range s.snapshot {
		m.conn.enqueue(wsOut{kind: kind, id: m.id, payload: payload})
	}
	clear(s.snapshot)
}

// end forgets a stream whose resolver stopped. When it stopped on its own (a refusal, or
// the event bus closing), its subscribers are told their subscription is complete.
func (h *wsHub) end(s *wsStream) {
	h.mu.Lock()
	ended := s.ended
	s.ended = true
	var members []*wsMember
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
		c.enqueue(wsOut{kind: outComplete, id: m.id})
	}
}

// idString is the subscription ID a quoted one came from.
func idString(q []byte) string {
	var id string
	_ = json.Unmarshal(q, &id)
	return id
}

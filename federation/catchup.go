package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Catch-up: envelopes cross a leaf connection only while it is up, so a peer that was
// offline reads what it missed from the stream the origin keeps for it when it returns. The
// origin's NATS exports a direct get of that stream (read-only, that stream only, to that
// peer's account only) on fedget.<origin>; the receiving side asks for batches from a cursor it keeps per peer and
// stores them in the peer's inbound stream, where the one consumer applies them in order
// with everything else. The message ID (origin/id) makes JetStream drop what the live path
// stored already within its window, and the ledger in PostgreSQL applies each envelope once
// beyond it.
const (
	// CatchUpBatch is how many envelopes one catch-up request asks for.
	CatchUpBatch = 256
	// CatchUpInterval is how often a peer's outbound stream is read again while its link
	// is up: the live path carries nearly everything, this closes the gaps of short drops.
	CatchUpInterval = 15 * time.Second
	// catchUpRetryMax bounds the wait between attempts while a peer cannot be reached.
	catchUpRetryMax = 2 * time.Second
	// catchUpFullWaitMax bounds the doubling of the wait while a peer's inbound stream is
	// full: at most 2^3 intervals (2 minutes) between attempts.
	catchUpFullWaitMax = 3
	// cursorBucket keeps, per peer, the last sequence of its outbound stream stored here.
	cursorBucket = "FED_CURSORS"
)

// CatchUpSubject is where a peer's outbound stream is read (fedget.<peer>); the embedded
// NATS server's federation accounts route it over the leaf connection to that peer.
func CatchUpSubject(peer string) string { return "fedget." + peer }

// cursorKey names a peer's cursor: "to_" and the peer, the stream the peer keeps for us
// (earlier versions read one stream of the peer's, whose sequences these are not).
func cursorKey(peer string) string { return "to_" + streamToken(peer) }

// errNoResponders says the peer's stream is out of reach: its link is down.
var errNoResponders = errors.New("federation catch-up: no route to the peer's stream")

// ErrInboundFull says a peer's inbound stream refused an envelope because it is full (its
// maxBacklog or maxBytes): not a failure but the quota at work. Catch-up waits and reads
// again from its cursor, which stands after the last envelope stored.
var ErrInboundFull = errors.New("federation catch-up: the peer's inbound stream is full")

// streamStoreFailed is JetStream's error code for a message it did not store
// (JSStreamStoreFailedF); a stream with discard-new limits answers it when full.
const streamStoreFailed jetstream.ErrorCode = 10077

// inboundFull reports whether a publish was refused because the stream is full.
func inboundFull(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode != streamStoreFailed {
		return false
	}
	d := apiErr.Description
	return strings.Contains(d, "maximum messages exceeded") || strings.Contains(d, "maximum bytes exceeded") ||
		strings.Contains(d, "maximum messages per subject exceeded")
}

// cursors opens (creating once) the bucket of catch-up cursors.
func (t *Transport) cursors(ctx context.Context) (jetstream.KeyValue, error) {
	kv, err := t.js.KeyValue(ctx, cursorBucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = t.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: cursorBucket,
			Description: "Per peer, the last sequence of its outbound stream that Parley stored for applying.",
			Storage:     jetstream.FileStorage})
	}
	return kv, err
}

// Cursor is the last sequence of peer's outbound stream stored here, 0 before any.
func (t *Transport) Cursor(ctx context.Context, peer string) (uint64, error) {
	kv, err := t.cursors(ctx)
	if err != nil {
		return 0, err
	}
	e, err := kv.Get(ctx, cursorKey(peer))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(string(e.Value()), 10, 64)
}

// CatchUp reads what peer published after the cursor into its inbound stream, batch by
// batch, moving the cursor after each stored batch, until nothing is left. It returns how
// many envelopes it stored anew (JetStream's duplicates not counted). When the inbound
// stream is full it moves the cursor after the last envelope stored and returns an error
// that is ErrInboundFull.
func (t *Transport) CatchUp(ctx context.Context, peer string) (int, error) {
	kv, err := t.cursors(ctx)
	if err != nil {
		return 0, err
	}
	cursor, err := t.Cursor(ctx, peer)
	if err != nil {
		return 0, err
	}
	stored := 0
	for {
		msgs, last, pending, err := t.fetch(ctx, peer, cursor+1)
		if err != nil {
			return stored, err
		}
		done := cursor // the last sequence of the batch handled
		for _, m := range msgs {
			seq, _ := strconv.ParseUint(m.Header.Get(jetstream.SequenceHeader), 10, 64) // fetch checked it
			subject := m.Header.Get(jetstream.SubjectHeader)
			// Only the peer's own subjects: whatever else an answer claims is dropped here,
			// and the verifier still checks origin and signer of what is stored.
			if !strings.HasPrefix(subject, Subject(peer, t.self, "")) {
				done = seq
				continue
			}
			opts := []jetstream.PublishOpt{}
			if id := m.Header.Get(jetstream.MsgIDHeader); id != "" {
				opts = append(opts, jetstream.WithMsgID(id))
			}
			ack, err := t.js.Publish(ctx, subject, m.Data, opts...)
			if inboundFull(err) {
				if done > cursor {
					if _, perr := kv.Put(ctx, cursorKey(peer), []byte(strconv.FormatUint(done, 10))); perr != nil {
						return stored, perr
					}
				}
				return stored, fmt.Errorf("catch-up of %s: %w (%w)", peer, ErrInboundFull, err)
			}
			if err != nil {
				return stored, fmt.Errorf("catch-up of %s: %w", peer, err)
			}
			done = seq
			if !ack.Duplicate {
				stored++
			}
		}
		if last <= cursor {
			return stored, nil
		}
		cursor = last
		if _, err := kv.Put(ctx, cursorKey(peer), []byte(strconv.FormatUint(cursor, 10))); err != nil {
			return stored, err
		}
		if pending == 0 {
			return stored, nil
		}
	}
}

// fetch asks the peer's outbound stream for a batch from seq and returns its messages, the
// last sequence among them (0 when none) and how many remain after it.
func (t *Transport) fetch(ctx context.Context, peer string, seq uint64) ([]*nats.Msg, uint64, uint64, error) {
	nc := t.js.Conn()
	inbox := nc.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		return nil, 0, 0, err
	}
	defer sub.Unsubscribe()
	req, _ := json.Marshal(map[string]any{"seq": seq, "batch": CatchUpBatch})
	if err := nc.PublishMsg(&nats.Msg{Subject: CatchUpSubject(peer), Reply: inbox, Data: req}); err != nil {
		return nil, 0, 0, err
	}
	var msgs []*nats.Msg
	var last uint64
	for {
		wait, cancel := context.WithTimeout(ctx, 10*time.Second)
		m, err := sub.NextMsgWithContext(wait)
		cancel()
		if err != nil {
			return nil, 0, 0, fmt.Errorf("catch-up of %s: %w", peer, err)
		}
		switch status := m.Header.Get("Status"); status {
		case "":
		case "204": // the end of the batch
			pending, _ := strconv.ParseUint(m.Header.Get("Nats-Num-Pending"), 10, 64)
			return msgs, last, pending, nil
		case "404": // nothing at or after seq
			return msgs, last, 0, nil
		case "503":
			return nil, 0, 0, errNoResponders
		default:
			return nil, 0, 0, fmt.Errorf("catch-up of %s: status %s %s", peer, status, m.Header.Get("Description"))
		}
		n, err := strconv.ParseUint(m.Header.Get(jetstream.SequenceHeader), 10, 64)
		if err != nil || n < seq || n <= last {
			return nil, 0, 0, fmt.Errorf("catch-up of %s: a message without a usable sequence", peer)
		}
		last = n
		msgs = append(msgs, m)
	}
}

// catchUp runs CatchUp for peer when its consumer starts and every CatchUpInterval after,
// within catchUpRetryMax after a failure (the link is down, or the peer is), until ctx ends.
// A full inbound stream is the peer's quota at work, not a failure: the pass waits, from
// CatchUpInterval doubling to catchUpFullWaitMax intervals, and says so at debug level only.
func (t *Transport) catchUp(ctx context.Context, peer string) {
	for attempt, full := 0, 0; ; {
		if err := t.trimApplied(ctx, peer); err != nil && ctx.Err() == nil {
			t.logger.Debug("federation: applied envelopes not trimmed from the inbound stream", "peer", peer, "error", err)
		}
		n, err := t.CatchUp(ctx, peer)
		wait := t.catchUpEvery
		if err == nil || !errors.Is(err, ErrInboundFull) {
			full = 0
		}
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, ErrInboundFull):
			attempt = 0
			wait = t.catchUpEvery << min(full, catchUpFullWaitMax)
			full++
			t.logger.Debug("federation: catch-up waits, the peer's inbound stream is full", "peer", peer, "stored", n, "wait", wait)
		case err != nil:
			// While the link is down, ask often: what the live path delivers once it is
			// back is stored after what was missed until the pass runs (see the README).
			attempt++
			wait = min(time.Duration(attempt)*250*time.Millisecond, catchUpRetryMax, t.catchUpEvery)
			if !errors.Is(err, errNoResponders) {
				t.logger.Warn("federation: catch-up interrupted", "peer", peer, "error", err)
			}
		default:
			attempt = 0
			if n > 0 {
				t.logger.Info("federation: caught up with a peer", "peer", peer, "envelopes", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// trimApplied drops from peer's inbound stream what its consumer has acknowledged (applied,
// refused or ignored). The stream keeps messages by its limits, not by acknowledgement, so
// without this a peer's maxBacklog and maxBytes would count everything of the last
// InboundMaxAge, applied or not, and a full stream would refuse the peer's envelopes until
// they aged out rather than until the backlog was applied. Called before each catch-up pass.
func (t *Transport) trimApplied(ctx context.Context, peer string) error {
	c, err := t.js.Consumer(ctx, InboundStream(peer), consumerName)
	if err != nil {
		return err
	}
	info, err := c.Info(ctx)
	if err != nil {
		return err
	}
	floor := info.AckFloor.Stream
	if floor == 0 {
		return nil
	}
	s, err := t.js.Stream(ctx, InboundStream(peer))
	if err != nil {
		return err
	}
	if s.CachedInfo().State.FirstSeq > floor {
		return nil
	}
	return s.Purge(ctx, jetstream.WithPurgeSequence(floor+1))
}

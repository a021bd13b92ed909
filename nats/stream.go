package nats

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Stream defaults. Each is explained on the StreamConfig field it fills.
const (
	DefaultStreamName = "PARLEY_EVENTS"
	DefaultMaxAge     = 7 * 24 * time.Hour
	DefaultDuplicates = 2 * time.Minute
)

// DefaultStreamSubject binds exactly the six-token event subjects
// (parley.<instance>.<noun>.<verb>.<site>.<story>) rather than "parley.>": moderation
// plug-ins answer core NATS requests on parley.moderation.<name>, and a stream bound to
// "parley.>" would store those requests and answer them with its own publish
// acknowledgement before the plug-in could reply.
const DefaultStreamSubject = SubjectPrefix + ".*.*.*.*.*"

// StreamConfig holds the settings of the event stream that an operator may change. The zero
// value gives the defaults for a single embedded server; a three-node cluster sets Replicas
// to 3.
type StreamConfig struct {
	// Name is the stream's name, PARLEY_EVENTS by default. Consumers bind to it by name.
	Name string
	// Subjects are the subjects the stream stores, DefaultStreamSubject by default.
	Subjects []string
	// Replicas is how many servers keep a copy: 1 (the default) for the embedded server,
	// 3 on a cluster so that losing one node loses neither events nor availability.
	Replicas int
	// MaxAge is how long an event stays in the stream, 7 days by default: long enough for
	// a webhook target or a federation peer that was down over a long weekend to catch up
	// from its durable consumer. The database, not the stream, is the archive.
	MaxAge time.Duration
	// Duplicates is the window in which the stream drops a second message with the same
	// Nats-Msg-Id (the event ID), 2 minutes by default. It is the retry guard: an event
	// the stream stored but whose outbox row was not marked (a lost ack, a crash, a
	// database hiccup) is published again within seconds and dropped here. Consumers still
	// deduplicate on the event ID for retries that come later than the window.
	Duplicates time.Duration
	// MaxBytes caps the stream's size on disk; 0 means no cap beyond MaxAge and the
	// server's own JetStream storage limit. When a cap is reached the oldest events go.
	MaxBytes int64
}

// withDefaults fills the zero fields.
func (c StreamConfig) withDefaults() StreamConfig {
	if c.Name == "" {
		c.Name = DefaultStreamName
	}
	if len(c.Subjects) == 0 {
		c.Subjects = []string{DefaultStreamSubject}
	}
	if c.Replicas < 1 {
		c.Replicas = 1
	}
	if c.MaxAge <= 0 {
		c.MaxAge = DefaultMaxAge
	}
	if c.Duplicates <= 0 {
		c.Duplicates = DefaultDuplicates
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = -1
	}
	return c
}

// JetStreamConfig is the full configuration EnsureStream applies, exposed so that operators
// and the README can see every setting in one place. Beyond the fields of StreamConfig:
//
//   - File storage: events survive a restart of the server (embedded or not), so the
//     relay's work is never lost once acknowledged.
//   - Limits retention: several independent consumers (live updates on every replica,
//     federation, webhooks, trust) read the same events, each at its own pace; interest or
//     work-queue retention would delete an event once one of them had it.
//   - Discard old: when a limit is reached the oldest events make room, so the stream never
//     refuses the relay (which would pile events up in PostgreSQL and stall live updates).
//   - Duplicate window smaller than MaxAge, as JetStream requires.
func (c StreamConfig) JetStreamConfig() jetstream.StreamConfig {
	c = c.withDefaults()
	return jetstream.StreamConfig{
		Name:        c.Name,
		Description: "Parley events relayed from the PostgreSQL outbox; the database is the source of truth.",
		Subjects:    c.Subjects,
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		Replicas:    c.Replicas,
		MaxAge:      c.MaxAge,
		MaxBytes:    c.MaxBytes,
		MaxMsgs:     -1,
		Discard:     jetstream.DiscardOld,
		Duplicates:  c.Duplicates,
	}
}

// EnsureStream creates the event stream or brings an existing one to cfg, so that every
// replica can call it at start-up and a changed setting (more replicas, a longer age) takes
// effect on the next deploy. Settings JetStream cannot change in place, such as the storage
// type, make it fail rather than silently keep the old stream.
func EnsureStream(ctx context.Context, js jetstream.JetStream, cfg StreamConfig) (jetstream.Stream, error) {
	sc := cfg.JetStreamConfig()
	if sc.Duplicates > sc.MaxAge {
		return nil, fmt.Errorf("ensure stream %s: the duplicate window %s exceeds the maximum age %s", sc.Name, sc.Duplicates, sc.MaxAge)
	}
	s, err := js.CreateOrUpdateStream(ctx, sc)
	if err != nil {
		return nil, fmt.Errorf("ensure stream %s: %w", sc.Name, err)
	}
	return s, nil
}

package notify

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// Periods are the digests' lengths.
var Periods = map[parley.NotificationDelivery]time.Duration{
	parley.DeliverDigestDaily:  24 * time.Hour,
	parley.DeliverDigestWeekly: 7 * 24 * time.Hour,
}

// DigestBatch is how many readers one transaction of the digest job claims.
const DigestBatch = 200

// Digest is the job that mails daily and weekly digests. Every replica may run it at once:
// the store hands each due reader to one of them (FOR UPDATE SKIP LOCKED), and queues the
// mail, marks the notifications digested and moves the next digest in one transaction, so
// no digest is sent twice and none is lost when a replica stops halfway.
type Digest struct {
	store  parley.NotificationStore
	mail   parley.DigestMailer
	logger *slog.Logger
	now    func() time.Time
	wake   func()
}

// DigestOptions configure a Digest.
type DigestOptions struct {
	Logger *slog.Logger
	Now    func() time.Time
	// Wake tells the mail queue that mail was queued.
	Wake func()
}

// NewDigest returns the digest job.
func NewDigest(store parley.NotificationStore, mail parley.DigestMailer, o DigestOptions) *Digest {
	d := &Digest{store: store, mail: mail, logger: o.Logger, now: o.Now, wake: o.Wake}
	if d.logger == nil {
		d.logger = slog.New(slog.DiscardHandler)
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.wake == nil {
		d.wake = func() {}
	}
	return d
}

// RunOnce mails every digest due now and answers how many readers it looked at.
func (d *Digest) RunOnce(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := d.store.SendDigests(ctx, d.now(), DigestBatch, Periods, d.mail)
		total += n
		if n > 0 {
			d.wake()
		}
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// Run runs the job every interval until ctx ends.
func (d *Digest) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := d.RunOnce(ctx); err != nil && ctx.Err() == nil {
			d.logger.Error("notification digest", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// DigestMailer writes a digest from the "digest" template, with a one-click unsubscribe that
// turns off the digest for every kind in it.
func DigestMailer(render Render, publicURL string, unsub *Unsubscribe) parley.DigestMailer {
	publicURL = strings.TrimRight(publicURL, "/")
	return func(to *parley.User, lang string, period parley.NotificationDelivery, ns []*parley.InboxNotification) (*parley.Mail, error) {
		seen := map[parley.NotificationKind]bool{}
		var kinds []parley.NotificationKind
		counts := map[string]int{}
		for _, n := range ns {
			counts[string(n.Kind)]++
			if !seen[n.Kind] {
				seen[n.Kind] = true
				kinds = append(kinds, n.Kind)
			}
		}
		link := publicURL + "/unsubscribe?token=" + url.QueryEscape(unsub.Token(to.ID, kinds...))
		m, err := render("digest", lang, to.Email, map[string]any{
			"Username": to.Username, "Weekly": period == parley.DeliverDigestWeekly, "Total": len(ns),
			"Replies": counts["REPLY"], "Mentions": counts["MENTION"], "Decisions": counts["DECISION"], "Messages": counts["MODERATOR_MESSAGE"],
			"Link": publicURL, "Unsubscribe": link,
		})
		if err != nil {
			return nil, err
		}
		m.Headers = map[string]string{"List-Unsubscribe": "<" + link + ">", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
		return m, nil
	}
}

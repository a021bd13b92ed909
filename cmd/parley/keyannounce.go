package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/parleyhq/parley/federation"
)

// keyAnnouncer is the server's side of key notices: `parley key rotate|revoke` runs in
// another process and tells the peers itself, but a peer it could not reach (down, or cut
// off) would otherwise learn only at its periodic refresh. The server looks at its keys
// every keyLookEvery; when they changed since it last looked, it tells every peer again, and
// then those it could not tell, again and again (15 seconds, doubling to 5 minutes) until
// each is told, removed or defederated, or the keys change again.
type keyAnnouncer struct {
	svc    *federation.Service
	id     *federation.Identity
	logger *slog.Logger
	// seen describes the keys as last looked at; "" before the first look.
	seen string
	// telling is set while peers remain to be told of the change last seen: untold names
	// them (nil: every peer), next is when to try again, tries how often it was tried.
	telling bool
	untold  []string
	next    time.Time
	tries   int
}

// keyLookEvery is how often the server looks at its keys and retries untold peers.
const keyLookEvery = 15 * time.Second

func newKeyAnnouncer(svc *federation.Service, id *federation.Identity, logger *slog.Logger) *keyAnnouncer {
	return &keyAnnouncer{svc: svc, id: id, logger: logger}
}

// run looks at the keys at once (the keys as they are at start are not announced: a
// change made while the server was down was announced by the command that made it) and then
// every keyLookEvery until ctx ends.
func (k *keyAnnouncer) run(ctx context.Context) {
	t := time.NewTicker(keyLookEvery)
	defer t.Stop()
	for {
		k.tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// tick looks at the keys and tells peers as above.
func (k *keyAnnouncer) tick(ctx context.Context) {
	keys, err := k.id.Keys(ctx)
	if err != nil {
		return
	}
	var b strings.Builder
	for _, key := range keys {
		b.WriteString(key.ID)
		if key.NotAfter != nil {
			b.WriteString("/until " + key.NotAfter.UTC().String())
		}
		if key.RevokedAt != nil {
			b.WriteString("/revoked")
		}
		b.WriteByte(';')
	}
	now := time.Now()
	switch d := b.String(); {
	case k.seen == "":
		k.seen = d
		return
	case d != k.seen:
		k.seen, k.telling, k.untold, k.next, k.tries = d, true, nil, now, 0
	}
	if !k.telling || now.Before(k.next) {
		return
	}
	sent, err := k.svc.AnnounceKeys(ctx, k.untold...)
	if err != nil {
		k.logger.Warn("federation: peers not told of a change of keys", "error", err)
		return
	}
	k.untold = k.untold[:0]
	for name, err := range sent {
		if err != nil {
			k.untold = append(k.untold, name)
		}
	}
	if len(k.untold) == 0 {
		k.telling = false
		return
	}
	k.tries++
	k.next = now.Add(min(keyLookEvery<<min(k.tries, 5), federation.PeerRefreshInterval))
}

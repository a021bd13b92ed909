package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/parleyhq/parley/federation"
)

// keyAnnouncer is the server's side of key notices: `parley key rotate|revoke` runs in
// another process and tells the peers itself, but a peer it could not reach (down, or its
// network) would otherwise learn only at its periodic refresh. The server looks at its keys
// on every federation tick; when they changed since it last looked, it tells every peer
// again, and then again on each tick those it could not tell, until they have all been told
// or federation.PeerRefreshInterval has passed (by then they read the document anyway).
type keyAnnouncer struct {
	svc    *federation.Service
	id     *federation.Identity
	logger *slog.Logger
	now    func() time.Time
	// seen describes the keys as last looked at; "" before the first look.
	seen string
	// since is when the change being told was seen; untold the peers still to tell (nil:
	// every peer).
	since   time.Time
	telling bool
	untold  []string
}

func newKeyAnnouncer(svc *federation.Service, id *federation.Identity, logger *slog.Logger) *keyAnnouncer {
	return &keyAnnouncer{svc: svc, id: id, logger: logger, now: time.Now}
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
	switch d := b.String(); {
	case k.seen == "":
		k.seen = d // at start: the keys as they are, told when they changed
		return
	case d != k.seen:
		k.seen, k.since, k.telling, k.untold = d, k.now(), true, nil
	}
	if !k.telling {
		return
	}
	if k.now().Sub(k.since) > federation.PeerRefreshInterval {
		k.telling, k.untold = false, nil
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
	}
}

package webhook

import (
	"context"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/seal"
)

// SealPurpose derives webhooks' sealing key from PARLEY_SECRET_KEY (package seal); it never
// changes, or sealed secrets stop opening.
const SealPurpose = "parley webhook secret v1"

// SealSecrets seals every secret stored in the clear (endpoints made before
// PARLEY_SECRET_KEY was set, or before secrets were sealed) and answers how many it sealed.
// It is the migration step that serve runs at start; senders read clear secrets meanwhile, so
// no delivery waits for it. Each swap is conditional on the value read, so replicas starting
// together seal each secret once.
func SealSecrets(ctx context.Context, store parley.WebhookStore, box *seal.Box) (int, error) {
	if box == nil {
		return 0, nil
	}
	secrets, err := store.WebhookSecrets(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for id, stored := range secrets {
		if seal.IsSealedText(stored) {
			continue
		}
		ok, err := store.ReplaceWebhookSecret(ctx, id, stored, box.Text(id, stored))
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

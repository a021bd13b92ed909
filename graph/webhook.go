package graph

import "github.com/parleyhq/parley"

// errNoWebhooks answers webhook requests on a server built without the webhook service.
var errNoWebhooks = parley.Errorf(parley.ENOTFOUND, "Webhooks are not available on this server.")

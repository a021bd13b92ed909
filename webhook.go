package parley

import (
	"context"
	"encoding/json"
	"time"
)

// WebhookEndpoint is a URL of a site's own systems that receives the site's events as signed
// HTTP requests: the way a newsroom gets a Slack message when the queue fills without polling
// the API. The secret that signs its requests is never part of it: it is shown once, when the
// endpoint is created.
type WebhookEndpoint struct {
	ID          string
	SiteID      string
	URL         string
	Description string
	// Kinds are the event kinds (EventCommentCreated, …) the endpoint receives.
	Kinds []string
	// Enabled is false when an admin paused the endpoint or it failed for too long; then it
	// receives nothing new until an admin enables it again.
	Enabled bool
	// DisabledReason is the notice shown to the site's admins when the endpoint was turned
	// off for failing; "" when an admin turned it off or it is enabled.
	DisabledReason string
	DisabledAt     *time.Time
	// FailingSince is the first failed attempt since the last success; nil while it works.
	FailingSince *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// WebhookDeliveryState is where a delivery stands.
type WebhookDeliveryState string

// The states of a delivery: it waits (also between retries), it arrived, or its retries ran
// out (it may still be sent again by hand).
const (
	WebhookPending   WebhookDeliveryState = "PENDING"
	WebhookDelivered WebhookDeliveryState = "DELIVERED"
	WebhookFailed    WebhookDeliveryState = "FAILED"
)

// WebhookDelivery is one event on its way to one endpoint, with what its last attempt gave:
// the delivery log that lets an admin see why an integration missed something.
type WebhookDelivery struct {
	ID         string
	EndpointID string
	EventID    string
	Kind       string
	State      WebhookDeliveryState
	Attempts   int
	// LastStatus is the HTTP status of the last attempt, 0 when none answered.
	LastStatus int
	// LastError says why the last attempt failed ("" after a success).
	LastError     string
	LastAttemptAt *time.Time
	NextAttemptAt *time.Time
	DeliveredAt   *time.Time
	// EventAt is when the event happened.
	EventAt time.Time
	// RetryFrom is when the delivery was queued or last sent again by hand: retries end a
	// day after it.
	RetryFrom time.Time
	CreatedAt time.Time
}

// WebhookJob is a delivery claimed for sending, with what the sender needs to send it.
type WebhookJob struct {
	Delivery WebhookDelivery
	URL      string
	Secret   string
	Body     json.RawMessage
	// FailingSince is the endpoint's: the first failure since its last success.
	FailingSince *time.Time
}

// WebhookAttempt is the outcome of sending a job, which the store records.
type WebhookAttempt struct {
	DeliveryID string
	EndpointID string
	At         time.Time
	// OK is true when the endpoint answered 2xx.
	OK     bool
	Status int
	Error  string
	// Next is when to try again; nil gives the delivery up (FAILED).
	Next *time.Time
	// Disable, when set, turns the endpoint off with this notice for the site's admins.
	Disable string
}

// WebhookStore keeps endpoints and their deliveries. Deliveries are claimed with SKIP LOCKED,
// so every replica may send and none sends the same attempt twice.
type WebhookStore interface {
	// CreateWebhookEndpoint stores a new endpoint (its ID, when empty, and times are set) with
	// its secret as given (sealed, or in the clear without PARLEY_SECRET_KEY).
	CreateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint, secret string) error
	// WebhookSecrets returns every endpoint's stored secret by endpoint ID, so those stored
	// in the clear can be sealed.
	WebhookSecrets(ctx context.Context) (map[string]string, error)
	// ReplaceWebhookSecret stores next as the endpoint's secret if it is still prev, and
	// reports whether it did.
	ReplaceWebhookSecret(ctx context.Context, id, prev, next string) (bool, error)
	// UpdateWebhookEndpoint stores e's URL, description, kinds and enabled state; enabling
	// clears the disabled notice and the failure streak. ENOTFOUND when it is gone.
	UpdateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	// DeleteWebhookEndpoint removes an endpoint and its deliveries.
	DeleteWebhookEndpoint(ctx context.Context, id string) error
	// FindWebhookEndpoint returns one endpoint; ENOTFOUND when there is none.
	FindWebhookEndpoint(ctx context.Context, id string) (*WebhookEndpoint, error)
	// FindWebhookEndpoints returns a site's endpoints, oldest first.
	FindWebhookEndpoints(ctx context.Context, siteID string) ([]*WebhookEndpoint, error)
	// CountWebhookEndpoints counts a site's endpoints, to bound them.
	CountWebhookEndpoints(ctx context.Context, siteID string) (int, error)
	// EnqueueWebhookEvent adds a pending delivery of e, with body, for every enabled endpoint
	// of e's site subscribed to its kind, and returns how many it added: none for an event
	// seen before, so the consumer is idempotent by event ID.
	EnqueueWebhookEvent(ctx context.Context, e OutboxEvent, body []byte) (int, error)
	// WantedWebhookEvents returns the IDs, among es, of the events an enabled endpoint of
	// their site is subscribed to: one question for a run of events, most of which no
	// endpoint wants.
	WantedWebhookEvents(ctx context.Context, es []OutboxEvent) (map[string]bool, error)
	// ClaimWebhookJobs takes up to limit pending deliveries due at now, of enabled endpoints,
	// skipping those another replica holds, and leases them until now+lease: a sender that
	// dies mid-request leaves them to be tried again after the lease.
	ClaimWebhookJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]WebhookJob, error)
	// RecordWebhookAttempt stores an attempt's outcome on its delivery and endpoint.
	RecordWebhookAttempt(ctx context.Context, a WebhookAttempt) error
	// FindWebhookDeliveries returns an endpoint's latest deliveries, newest first.
	FindWebhookDeliveries(ctx context.Context, endpointID string, limit int) ([]*WebhookDelivery, error)
	// FindWebhookDelivery returns one delivery; ENOTFOUND when there is none.
	FindWebhookDelivery(ctx context.Context, id string) (*WebhookDelivery, error)
	// RedeliverWebhook makes a delivery pending again, due at now, whatever its state.
	RedeliverWebhook(ctx context.Context, id string, now time.Time) (*WebhookDelivery, error)
	// PruneWebhookDeliveries forgets deliveries that ended (delivered or failed) before
	// before, and the events no delivery needs any more; it returns how many deliveries went.
	PruneWebhookDeliveries(ctx context.Context, before time.Time) (int, error)
}

// CreateWebhookInput is a new endpoint as an admin describes it.
type CreateWebhookInput struct {
	SiteID      string
	URL         string
	Description string
	Kinds       []string
}

// UpdateWebhookInput changes an endpoint; nil fields stay as they are.
type UpdateWebhookInput struct {
	ID          string
	URL         *string
	Description *string
	Kinds       []string
	Enabled     *bool
}

// WebhookService is what the API offers site admins: their endpoints, the delivery log and
// "send again".
type WebhookService interface {
	// CreateWebhookEndpoint returns the endpoint and its signing secret, which is not shown
	// again.
	CreateWebhookEndpoint(ctx context.Context, in CreateWebhookInput) (*WebhookEndpoint, string, error)
	UpdateWebhookEndpoint(ctx context.Context, in UpdateWebhookInput) (*WebhookEndpoint, error)
	DeleteWebhookEndpoint(ctx context.Context, id string) error
	WebhookEndpoints(ctx context.Context, siteID string) ([]*WebhookEndpoint, error)
	WebhookDeliveries(ctx context.Context, endpointID string, limit int) ([]*WebhookDelivery, error)
	RedeliverWebhook(ctx context.Context, deliveryID string) (*WebhookDelivery, error)
}

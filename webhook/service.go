package webhook

import (
	"context"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/seal"
)

// Limits of what an admin may register.
const (
	MaxEndpointsPerSite = 20
	MaxURLLength        = 2000
	MaxDescription      = 200
	MaxDeliveriesListed = 100
)

// ServiceOptions configure a Service.
type ServiceOptions struct {
	// AllowHTTP accepts http:// URLs (development); otherwise only https:// is.
	AllowHTTP bool
	// AllowPrivate accepts URLs naming private addresses, as the sender's option does.
	AllowPrivate bool
	// Seal seals new endpoints' secrets at rest (PARLEY_SECRET_KEY, package seal); nil
	// stores them in the clear.
	Seal *seal.Box
	Now  func() time.Time
}

// Service is parley.WebhookService: site admins manage their endpoints and read the log.
type Service struct {
	store parley.WebhookStore
	sites parley.SiteService
	users parley.UserService
	o     ServiceOptions
}

// NewService returns the service on the store, reading sites and the roles that decide who
// administers which site.
func NewService(store parley.WebhookStore, sites parley.SiteService, users parley.UserService, o ServiceOptions) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{store: store, sites: sites, users: users, o: o}
}

var _ parley.WebhookService = (*Service)(nil)

// admin checks that the caller administers the site.
func (s *Service) admin(ctx context.Context, siteID string) error {
	viewer := parley.UserIDFromContext(ctx)
	if viewer == "" {
		return parley.Errorf(parley.EUNAUTHENTICATED, "Sign in to manage webhooks.")
	}
	if !parley.IsID(siteID) {
		return parley.Errorf(parley.ENOTFOUND, "Site not found.")
	}
	if _, err := s.sites.FindSiteByID(ctx, siteID); err != nil {
		return err
	}
	role, err := s.users.SiteRole(ctx, siteID, viewer)
	if err != nil {
		return err
	}
	if role != parley.RoleAdmin {
		return parley.Errorf(parley.EFORBIDDEN, "Only the site's admins manage its webhooks.")
	}
	return nil
}

// endpoint finds an endpoint the caller administers.
func (s *Service) endpoint(ctx context.Context, id string) (*parley.WebhookEndpoint, error) {
	if parley.UserIDFromContext(ctx) == "" {
		return nil, parley.Errorf(parley.EUNAUTHENTICATED, "Sign in to manage webhooks.")
	}
	if !parley.IsID(id) {
		return nil, parley.Errorf(parley.ENOTFOUND, "Webhook endpoint not found.")
	}
	e, err := s.store.FindWebhookEndpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	return e, s.admin(ctx, e.SiteID)
}

// CreateWebhookEndpoint validates and stores a new endpoint with a fresh secret.
func (s *Service) CreateWebhookEndpoint(ctx context.Context, in parley.CreateWebhookInput) (*parley.WebhookEndpoint, string, error) {
	if err := s.admin(ctx, in.SiteID); err != nil {
		return nil, "", err
	}
	e := &parley.WebhookEndpoint{SiteID: in.SiteID, Enabled: true}
	var err error
	if e.URL, err = s.checkURL(in.URL); err != nil {
		return nil, "", err
	}
	if e.Description, err = checkDescription(in.Description); err != nil {
		return nil, "", err
	}
	if e.Kinds, err = checkKinds(in.Kinds); err != nil {
		return nil, "", err
	}
	n, err := s.store.CountWebhookEndpoints(ctx, in.SiteID)
	if err != nil {
		return nil, "", err
	}
	if n >= MaxEndpointsPerSite {
		return nil, "", parley.Errorf(parley.ECONFLICT, "A site has at most %d webhook endpoints; delete one first.", MaxEndpointsPerSite)
	}
	secret := NewSecret()
	// The ID is chosen here so the sealed secret is bound to its row.
	e.ID = uuid.Must(uuid.NewV7()).String()
	if err := s.store.CreateWebhookEndpoint(ctx, e, s.o.Seal.Text(e.ID, secret)); err != nil {
		return nil, "", err
	}
	return e, secret, nil
}

// UpdateWebhookEndpoint changes the fields given.
func (s *Service) UpdateWebhookEndpoint(ctx context.Context, in parley.UpdateWebhookInput) (*parley.WebhookEndpoint, error) {
	e, err := s.endpoint(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if in.URL != nil {
		if e.URL, err = s.checkURL(*in.URL); err != nil {
			return nil, err
		}
	}
	if in.Description != nil {
		if e.Description, err = checkDescription(*in.Description); err != nil {
			return nil, err
		}
	}
	if in.Kinds != nil {
		if e.Kinds, err = checkKinds(in.Kinds); err != nil {
			return nil, err
		}
	}
	if in.Enabled != nil {
		e.Enabled = *in.Enabled
	}
	return e, s.store.UpdateWebhookEndpoint(ctx, e)
}

// DeleteWebhookEndpoint removes an endpoint and its log.
func (s *Service) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	if _, err := s.endpoint(ctx, id); err != nil {
		return err
	}
	return s.store.DeleteWebhookEndpoint(ctx, id)
}

// WebhookEndpoints lists a site's endpoints.
func (s *Service) WebhookEndpoints(ctx context.Context, siteID string) ([]*parley.WebhookEndpoint, error) {
	if err := s.admin(ctx, siteID); err != nil {
		return nil, err
	}
	return s.store.FindWebhookEndpoints(ctx, siteID)
}

// WebhookDeliveries returns an endpoint's latest deliveries, at most MaxDeliveriesListed.
func (s *Service) WebhookDeliveries(ctx context.Context, endpointID string, limit int) ([]*parley.WebhookDelivery, error) {
	if limit < 1 || limit > MaxDeliveriesListed {
		return nil, parley.FieldErrorf("first", "Ask for 1 to %d deliveries.", MaxDeliveriesListed)
	}
	if _, err := s.endpoint(ctx, endpointID); err != nil {
		return nil, err
	}
	return s.store.FindWebhookDeliveries(ctx, endpointID, limit)
}

// RedeliverWebhook sends a delivery again, whatever became of it.
func (s *Service) RedeliverWebhook(ctx context.Context, deliveryID string) (*parley.WebhookDelivery, error) {
	if parley.UserIDFromContext(ctx) == "" {
		return nil, parley.Errorf(parley.EUNAUTHENTICATED, "Sign in to manage webhooks.")
	}
	if !parley.IsID(deliveryID) {
		return nil, parley.Errorf(parley.ENOTFOUND, "Webhook delivery not found.")
	}
	d, err := s.store.FindWebhookDelivery(ctx, deliveryID)
	if err != nil {
		return nil, err
	}
	if _, err := s.endpoint(ctx, d.EndpointID); err != nil {
		return nil, err
	}
	return s.store.RedeliverWebhook(ctx, deliveryID, s.o.Now())
}

// checkURL accepts an absolute https URL (http in development) without a fragment; a host
// that is a private address literal is refused here already, a name that resolves to one
// when it is dialled.
func (s *Service) checkURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", parley.FieldErrorf("url", "Give the URL to send events to.")
	}
	if len(raw) > MaxURLLength {
		return "", parley.FieldErrorf("url", "The URL is at most %d characters long.", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", parley.FieldErrorf("url", "The URL must be absolute, like https://example.org/hooks/parley.")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && s.o.AllowHTTP:
	case u.Scheme == "http":
		return "", parley.FieldErrorf("url", "The URL must use https.")
	default:
		return "", parley.FieldErrorf("url", "The URL must use https (or http in development).")
	}
	if u.Fragment != "" {
		return "", parley.FieldErrorf("url", "The URL must not have a #fragment.")
	}
	host := u.Hostname()
	if !s.o.AllowPrivate {
		if ip, err := netip.ParseAddr(host); err == nil && CheckAddr(ip) != nil {
			return "", parley.FieldErrorf("url", "%s is not a public address; webhooks reach only the public internet here.", host)
		}
		if h := strings.ToLower(strings.TrimSuffix(host, ".")); h == "localhost" || strings.HasSuffix(h, ".localhost") {
			return "", parley.FieldErrorf("url", "localhost is not a public address; webhooks reach only the public internet here.")
		}
	}
	return u.String(), nil
}

func checkDescription(d string) (string, error) {
	d = strings.TrimSpace(d)
	if utf8.RuneCountInString(d) > MaxDescription {
		return "", parley.FieldErrorf("description", "The description is at most %d characters long.", MaxDescription)
	}
	return d, nil
}

// checkKinds accepts one or more known event kinds, sorted and without repeats.
func checkKinds(kinds []string) ([]string, error) {
	if len(kinds) == 0 {
		return nil, parley.FieldErrorf("kinds", "Choose at least one kind of event.")
	}
	known := parley.EventKinds()
	out := make([]string, 0, len(kinds))
	for _, k := range kinds {
		if !slices.Contains(known, k) {
			return nil, parley.FieldErrorf("kinds", "%.64q is not an event kind; the kinds are listed in the README under Events.", k)
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

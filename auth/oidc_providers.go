package auth

import (
	"context"
	"net"
	"net/url"
	"strings"

	"github.com/parleyhq/parley"
)

// Managing providers: administrators add, list, change and remove them. Adding one reads its
// discovery document first, so a provider that cannot work is refused with the reason.

// AddOIDCProvider implements parley.OIDCService.
func (o *OIDC) AddOIDCProvider(ctx context.Context, p *parley.OIDCProvider) error {
	if err := requireAdmin(ctx, "add"); err != nil {
		return err
	}
	p.Name = strings.TrimSpace(p.Name)
	for _, f := range []struct{ name, v string }{{"name", p.Name}, {"issuer", p.Issuer}, {"clientID", p.ClientID}, {"clientSecret", p.ClientSecret}} {
		if err := validOIDCField(f.name, f.v); err != nil {
			return err
		}
	}
	if err := validIssuer(p.Issuer); err != nil {
		return err
	}
	if p.SiteID != "" && !parley.IsID(p.SiteID) {
		return parley.Errorf(parley.ENOTFOUND, "Site not found.")
	}
	// A provider whose discovery fails now would fail every reader later: say so to the
	// administrator, with the reason, instead of storing it.
	// It is read, not kept: the first sign-in reads it again, so a provider that goes down
	// in between is seen at /oidc/start rather than as a redirect to nowhere.
	if _, err := o.discover(ctx, p.Issuer); err != nil {
		return parley.FieldErrorf("issuer", "%s", parley.ErrorMessage(err))
	}
	return o.store.AddOIDCProvider(ctx, p)
}

// requireAdmin refuses anyone but an administrator to manage providers.
func requireAdmin(ctx context.Context, verb string) error {
	u := parley.UserFromContext(ctx)
	if u == nil {
		return parley.Errorf(parley.EUNAUTHENTICATED, "Sign in to %s a sign-in provider.", verb)
	}
	if !u.Admin {
		return parley.Errorf(parley.EFORBIDDEN, "Only an administrator may %s a sign-in provider.", verb)
	}
	return nil
}

func validOIDCField(name, v string) error {
	if v == "" {
		return parley.FieldErrorf(name, "%s is required.", name)
	}
	if len(v) > maxOIDCField {
		return parley.FieldErrorf(name, "%s is longer than %d bytes.", name, maxOIDCField)
	}
	return nil
}

// AllOIDCProviders implements parley.OIDCService.
func (o *OIDC) AllOIDCProviders(ctx context.Context, siteID string) ([]*parley.OIDCProvider, error) {
	if err := requireAdmin(ctx, "list"); err != nil {
		return nil, err
	}
	if siteID != "" {
		if !parley.IsID(siteID) {
			return nil, parley.Errorf(parley.ENOTFOUND, "Site not found.")
		}
		if _, err := o.store.SiteAllowedOrigins(ctx, siteID); err != nil {
			return nil, err
		}
	}
	return o.store.AllOIDCProviders(ctx, siteID)
}

// UpdateOIDCProvider implements parley.OIDCService.
func (o *OIDC) UpdateOIDCProvider(ctx context.Context, u parley.OIDCProviderUpdate) (*parley.OIDCProvider, error) {
	if err := requireAdmin(ctx, "change"); err != nil {
		return nil, err
	}
	if u.Name != nil {
		name := strings.TrimSpace(*u.Name)
		u.Name = &name
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"name", u.Name}, {"clientID", u.ClientID}, {"clientSecret", u.ClientSecret}} {
		if f.v == nil {
			continue
		}
		if err := validOIDCField(f.name, *f.v); err != nil {
			return nil, err
		}
	}
	if !parley.IsID(u.ID) {
		return nil, parley.Errorf(parley.ENOTFOUND, "Provider not found.")
	}
	return o.store.UpdateOIDCProvider(ctx, u)
}

// RemoveOIDCProvider implements parley.OIDCService.
func (o *OIDC) RemoveOIDCProvider(ctx context.Context, id string) error {
	if err := requireAdmin(ctx, "remove"); err != nil {
		return err
	}
	if !parley.IsID(id) {
		return parley.Errorf(parley.ENOTFOUND, "Provider not found.")
	}
	return o.store.RemoveOIDCProvider(ctx, id)
}

// validIssuer accepts an https URL, or http for a loopback host (a provider on the same
// machine, as in development and tests).
func validIssuer(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return parley.FieldErrorf("issuer", "issuer must be an absolute https URL without query or fragment.")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if ip := net.ParseIP(u.Hostname()); (ip != nil && ip.IsLoopback()) || u.Hostname() == "localhost" {
			return nil
		}
	}
	return parley.FieldErrorf("issuer", "issuer must use https.")
}

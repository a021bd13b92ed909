package webhook_test

import (
	"context"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/webhook"
)

func TestServiceInputs(t *testing.T) {
	e := MustEnv(t)
	site, _ := e.MustStory(t)
	prod := webhook.NewService(e.store, e.Sites, e.Users, webhook.ServiceOptions{})
	dev := e.service(newClock())
	userCtx, user := e.MustUser(t)
	modCtx, mod := e.MustUser(t)
	if err := e.Users.SetSiteRole(e.Admin, site.ID, mod.ID, parley.RoleModerator); err != nil {
		t.Fatal(err)
	}
	_ = user
	ok := parley.CreateWebhookInput{SiteID: site.ID, URL: "https://hooks.example.org/parley", Kinds: []string{parley.EventCommentCreated}}
	with := func(f func(in *parley.CreateWebhookInput)) parley.CreateWebhookInput { in := ok; f(&in); return in }
	for _, tc := range []struct {
		name  string
		svc   *webhook.Service
		ctx   context.Context
		in    parley.CreateWebhookInput
		code  string
		field string
	}{
		{"an anonymous caller is unauthenticated", prod, context.Background(), ok, parley.EUNAUTHENTICATED, ""},
		{"a commenter is forbidden", prod, userCtx, ok, parley.EFORBIDDEN, ""},
		{"a moderator is forbidden", prod, modCtx, ok, parley.EFORBIDDEN, ""},
		{"an unknown site is not found", prod, e.Admin, with(func(in *parley.CreateWebhookInput) { in.SiteID = "00000000-0000-0000-0000-000000000000" }), parley.ENOTFOUND, ""},
		{"a malformed site ID is not found", prod, e.Admin, with(func(in *parley.CreateWebhookInput) { in.SiteID = "x'; drop" }), parley.ENOTFOUND, ""},
		{"an empty URL is invalid", prod, e.Admin, with(func(in *parley.CreateWebhookInput) { in.URL = " " }), parley.EINVALID, "url"},
		{"a relative URL is invalid", prod, e.Admin, with(func(in *parley.CreateWebhookInput) { in.URL = "/hooks" }), parley.EINVALID, "url"},
		{"an unparsable URL is invalid", prod, e.Admin, with(func(in *parley.CreateWebhookInput) { in.URL = "https://[::1" }), parley.EINVALID, "url"},
		{"http in production is invalid", prod, e.Admin, with(func(in *parley.CreateWebhookInput) { in.URL = "http://hooks.example.org/" }), parley.EINVALID, "url"},
		{"another scheme is invalid", dev, e.Admin, with(func(in *parley.CreateWebhookInput) { in.URL = "file:///etc/passwd" }), parley.EINVALID, "url"},
		{"a loopback literal is invalid", prod, e.Admin, with(func(in *parley.CreateWebhookInput) { in.URL = "https://127.0.0.1:8080/" }), parley.EINVALID, "url"},
		{"the metadata address is invalid", prod, e.Admin, with(func(in *parley.CreateWebhookInput) { in.URL = "https://169.254.169.254/latest" }), parley.EINVALID, "url"},
		{"localhost is invalid", prod, e.Admin, with(func(in *parley.CreateWebhookInput) { in.URL = "https://app.localhost./x" }), parley.EINVALID, "url"},
		{"a fragment is invalid", prod, e.Admin, with(func(in *parley.CreateWebhookInput) { in.URL = "https://hooks.example.org/#x" }), parley.EINVALID, "url"},
		{"a huge URL is invalid", prod, e.Admin, with(func(in *parley.CreateWebhookInput) { in.URL = "https://a.example/" + strings.Repeat("a", 3000) }), parley.EINVALID, "url"},
		{"no kinds is invalid", prod, e.Admin, with(func(in *parley.CreateWebhookInput) { in.Kinds = nil }), parley.EINVALID, "kinds"},
		{"an unknown kind is invalid", prod, e.Admin, with(func(in *parley.CreateWebhookInput) { in.Kinds = []string{"comment.exploded"} }), parley.EINVALID, "kinds"},
		{"a long description is invalid", prod, e.Admin, with(func(in *parley.CreateWebhookInput) { in.Description = strings.Repeat("d", 201) }), parley.EINVALID, "description"},
		{"loopback in development passes", dev, e.Admin, with(func(in *parley.CreateWebhookInput) { in.URL = "http://127.0.0.1:9/" }), "", ""},
		{"a good endpoint passes", prod, e.Admin, with(func(in *parley.CreateWebhookInput) {
			in.Kinds = []string{parley.EventCommentReported, parley.EventCommentCreated, parley.EventCommentReported}
		}), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ep, secret, err := tc.svc.CreateWebhookEndpoint(tc.ctx, tc.in)
			wantCode(t, err, tc.code)
			var perr *parley.Error
			if tc.field != "" && (!asError(err, &perr) || perr.Field != tc.field) {
				t.Errorf("error %v does not name the field %q", err, tc.field)
			}
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = e.store.DeleteWebhookEndpoint(context.Background(), ep.ID) })
			if !strings.HasPrefix(secret, "whsec_") || len(secret) < 40 {
				t.Errorf("secret %q", secret)
			}
			if len(ep.Kinds) != len(dedupe(tc.in.Kinds)) {
				t.Errorf("kinds %v kept from %v", ep.Kinds, tc.in.Kinds)
			}
		})
	}
}

func TestServiceOwnership(t *testing.T) {
	e := MustEnv(t)
	site, _ := e.MustStory(t)
	ep, _ := e.MustEndpoint(t, site, "https://hooks.example.org/")
	svc := e.service(newClock())
	userCtx, _ := e.MustUser(t)
	missing := "00000000-0000-0000-0000-000000000000"
	url := "https://other.example.org/"
	for _, tc := range []struct {
		name string
		run  func() error
		code string
	}{
		{"a commenter cannot list endpoints", func() error { _, err := svc.WebhookEndpoints(userCtx, site.ID); return err }, parley.EFORBIDDEN},
		{"a commenter cannot update one", func() error {
			_, err := svc.UpdateWebhookEndpoint(userCtx, parley.UpdateWebhookInput{ID: ep.ID, URL: &url})
			return err
		}, parley.EFORBIDDEN},
		{"a commenter cannot delete one", func() error { return svc.DeleteWebhookEndpoint(userCtx, ep.ID) }, parley.EFORBIDDEN},
		{"a commenter cannot read the log", func() error { _, err := svc.WebhookDeliveries(userCtx, ep.ID, 10); return err }, parley.EFORBIDDEN},
		{"an unknown endpoint is not found", func() error { return svc.DeleteWebhookEndpoint(e.Admin, missing) }, parley.ENOTFOUND},
		{"a malformed endpoint ID is not found", func() error { return svc.DeleteWebhookEndpoint(e.Admin, "nope") }, parley.ENOTFOUND},
		{"an unknown delivery is not found", func() error { _, err := svc.RedeliverWebhook(e.Admin, missing); return err }, parley.ENOTFOUND},
		{"anonymous send again is unauthenticated", func() error { _, err := svc.RedeliverWebhook(context.Background(), missing); return err }, parley.EUNAUTHENTICATED},
		{"a log of 0 is invalid", func() error { _, err := svc.WebhookDeliveries(e.Admin, ep.ID, 0); return err }, parley.EINVALID},
		{"a log of 101 is invalid", func() error { _, err := svc.WebhookDeliveries(e.Admin, ep.ID, 101); return err }, parley.EINVALID},
		{"an update with a bad URL is invalid", func() error {
			bad := "ftp://x"
			_, err := svc.UpdateWebhookEndpoint(e.Admin, parley.UpdateWebhookInput{ID: ep.ID, URL: &bad})
			return err
		}, parley.EINVALID},
		{"an update with no kinds is invalid", func() error {
			_, err := svc.UpdateWebhookEndpoint(e.Admin, parley.UpdateWebhookInput{ID: ep.ID, Kinds: []string{}})
			return err
		}, parley.EINVALID},
		{"the admin updates it", func() error {
			_, err := svc.UpdateWebhookEndpoint(e.Admin, parley.UpdateWebhookInput{ID: ep.ID, URL: &url})
			return err
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.run(), tc.code) })
	}
	list, err := svc.WebhookEndpoints(e.Admin, site.ID)
	if err != nil || len(list) != 1 || list[0].URL != url {
		t.Fatalf("endpoints %v, %v; want the one updated", list, err)
	}
	if err := svc.DeleteWebhookEndpoint(e.Admin, ep.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, svc.DeleteWebhookEndpoint(e.Admin, ep.ID), parley.ENOTFOUND)
}

func TestEndpointLimit(t *testing.T) {
	e := MustEnv(t)
	site, _ := e.MustStory(t)
	for range webhook.MaxEndpointsPerSite {
		e.MustEndpoint(t, site, "https://hooks.example.org/")
	}
	_, _, err := e.service(newClock()).CreateWebhookEndpoint(e.Admin, parley.CreateWebhookInput{SiteID: site.ID, URL: "https://hooks.example.org/", Kinds: []string{parley.EventCommentCreated}})
	wantCode(t, err, parley.ECONFLICT)
}

func asError(err error, target **parley.Error) bool {
	e, ok := err.(*parley.Error)
	*target = e
	return ok
}

func dedupe(s []string) map[string]bool {
	m := map[string]bool{}
	for _, v := range s {
		m[v] = true
	}
	return m
}

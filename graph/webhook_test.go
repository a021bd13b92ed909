package graph_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/webhook"
)

const endpointFields = `id siteID url description kinds enabled disabledReason disabledAt failingSince createdAt
	deliveries(first: 5) { id eventID kind state attempts lastStatus lastError nextAttemptAt deliveredAt eventAt }`

type endpointJSON struct {
	ID, SiteID, URL, Description, DisabledReason string
	Kinds                                        []string
	Enabled                                      bool
	Deliveries                                   []struct {
		ID, EventID, Kind, State, LastError string
		Attempts, LastStatus                int
	}
}

func TestWebhookEndpoints(t *testing.T) {
	w := shared.MustWorld(t)
	create := `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { secret endpoint { ` + endpointFields + ` } } }`
	in := map[string]any{"siteID": w.Site.ID, "url": "https://hooks.example.org/parley", "description": "Slack", "kinds": []string{"comment.reported", "comment.created"}}

	t.Run("a moderator is forbidden", func(t *testing.T) {
		w.Moderator.MustFail(t, "FORBIDDEN", create, map[string]any{"in": in})
	})
	t.Run("an anonymous caller is unauthenticated", func(t *testing.T) {
		shared.anonymous().MustFail(t, "UNAUTHENTICATED", create, map[string]any{"in": in})
	})
	for name, bad := range map[string]map[string]any{
		"a bad URL is invalid":          {"url": "gopher://x"},
		"an unknown kind is invalid":    {"kinds": []string{"comment.created", "everything"}},
		"no kinds is invalid":           {"kinds": []string{}},
		"a metadata address is invalid": {"url": "https://169.254.169.254/"},
	} {
		t.Run(name, func(t *testing.T) {
			v := map[string]any{}
			for k, x := range in {
				v[k] = x
			}
			for k, x := range bad {
				v[k] = x
			}
			r := w.Admin.MustFail(t, "INVALID", create, map[string]any{"in": v})
			if !strings.Contains(r.Raw, "url") && !strings.Contains(r.Raw, "kind") {
				t.Errorf("the error names no field: %s", r.Raw)
			}
		})
	}

	var out struct {
		CreateWebhookEndpoint struct {
			Secret   string
			Endpoint endpointJSON
		}
	}
	w.Admin.MustDo(t, create, map[string]any{"in": in}, &out)
	ep := out.CreateWebhookEndpoint.Endpoint
	if !strings.HasPrefix(out.CreateWebhookEndpoint.Secret, "whsec_") || !ep.Enabled || len(ep.Kinds) != 2 || ep.Deliveries == nil {
		t.Fatalf("created %+v", out.CreateWebhookEndpoint)
	}
	t.Cleanup(func() { _ = postgres.NewWebhookStore(shared.DB).DeleteWebhookEndpoint(context.Background(), ep.ID) })

	t.Run("the admin lists endpoints with their deliveries, without the secret", func(t *testing.T) {
		events := collectSiteEvents(t, w.Site.ID)
		c := webhook.NewConsumer(postgres.NewWebhookStore(shared.DB), nil, nil)
		for _, e := range events {
			if err := c.Handle(context.Background(), e); err != nil {
				t.Fatal(err)
			}
		}
		r := w.Admin.Do(t, `query($s: ID!) { webhookEndpoints(siteID: $s) { `+endpointFields+` } }`, map[string]any{"s": w.Site.ID})
		var list struct{ WebhookEndpoints []endpointJSON }
		mustUnmarshal(t, r.Data, &list)
		if len(r.Errors) > 0 || len(list.WebhookEndpoints) != 1 || len(list.WebhookEndpoints[0].Deliveries) != 1 {
			t.Fatalf("list %s", r.Raw)
		}
		if strings.Contains(r.Raw, out.CreateWebhookEndpoint.Secret) {
			t.Error("the secret is shown again")
		}
		d := list.WebhookEndpoints[0].Deliveries[0]
		if d.Kind != "comment.created" || d.State != "PENDING" {
			t.Errorf("delivery %+v, want the world's comment pending", d)
		}
		var again struct{ RedeliverWebhook struct{ ID, State string } }
		w.Admin.MustDo(t, `mutation($id: ID!) { redeliverWebhook(input: {deliveryID: $id}) { id state } }`, map[string]any{"id": d.ID}, &again)
		if again.RedeliverWebhook.ID != d.ID {
			t.Errorf("send again answered %+v", again)
		}
		w.Moderator.MustFail(t, "FORBIDDEN", `mutation($id: ID!) { redeliverWebhook(input: {deliveryID: $id}) { id } }`, map[string]any{"id": d.ID})
		w.Admin.MustFail(t, "NOT_FOUND", `mutation { redeliverWebhook(input: {deliveryID: "nope"}) { id } }`, nil)
		w.Admin.MustFail(t, "INVALID", `query($s: ID!) { webhookEndpoints(siteID: $s) { deliveries(first: 1000) { id } } }`, map[string]any{"s": w.Site.ID})
	})
	t.Run("the admin pauses, edits and deletes it", func(t *testing.T) {
		var up struct{ UpdateWebhookEndpoint endpointJSON }
		w.Admin.MustDo(t, `mutation($id: ID!) { updateWebhookEndpoint(input: {id: $id, enabled: false, description: "paused", kinds: ["user.sanctioned"]}) { `+endpointFields+` } }`,
			map[string]any{"id": ep.ID}, &up)
		if up.UpdateWebhookEndpoint.Enabled || up.UpdateWebhookEndpoint.Description != "paused" || len(up.UpdateWebhookEndpoint.Kinds) != 1 {
			t.Errorf("updated %+v", up.UpdateWebhookEndpoint)
		}
		w.Other.MustFail(t, "FORBIDDEN", `mutation($id: ID!) { deleteWebhookEndpoint(input: {id: $id}) { id } }`, map[string]any{"id": ep.ID})
		w.Admin.MustDo(t, `mutation($id: ID!) { deleteWebhookEndpoint(input: {id: $id}) { id } }`, map[string]any{"id": ep.ID}, nil)
		w.Admin.MustFail(t, "NOT_FOUND", `mutation($id: ID!) { deleteWebhookEndpoint(input: {id: $id}) { id } }`, map[string]any{"id": ep.ID})
	})
	t.Run("anyone may read the kinds", func(t *testing.T) {
		var kinds struct{ WebhookEventKinds []string }
		shared.anonymous().MustDo(t, `{ webhookEventKinds }`, nil, &kinds)
		if len(kinds.WebhookEventKinds) < 10 {
			t.Errorf("kinds %v", kinds.WebhookEventKinds)
		}
	})
}

// collectSiteEvents reads a site's events from the outbox, as the stream would carry them.
func collectSiteEvents(tb testing.TB, siteID string) []parley.OutboxEvent {
	tb.Helper()
	rows, err := postgrestest.Pool(tb, shared.DB).Query(context.Background(), `
		SELECT id::text, kind, coalesce(site_id::text, ''), coalesce(story_id::text, ''), payload, created_at
		FROM outbox WHERE site_id = $1 ORDER BY created_at, id`, siteID)
	if err != nil {
		tb.Fatal(err)
	}
	events, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (parley.OutboxEvent, error) {
		var oe parley.OutboxEvent
		return oe, r.Scan(&oe.ID, &oe.Kind, &oe.SiteID, &oe.StoryID, &oe.Payload, &oe.CreatedAt)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return events
}

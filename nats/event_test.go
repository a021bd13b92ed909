package nats_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/nats"
)

func TestSubject(t *testing.T) {
	const site, story = "0190a7e0-0000-7000-8000-000000000001", "0190a7e0-0000-7000-8000-000000000002"
	for _, tt := range []struct {
		name string
		ev   parley.OutboxEvent
		want string
	}{
		{"comment event names site and story", parley.OutboxEvent{Kind: parley.EventCommentCreated, SiteID: site, StoryID: story},
			"parley.inst.comment.created." + site + "." + story},
		{"site event has no story", parley.OutboxEvent{Kind: parley.EventSiteCreated, SiteID: site},
			"parley.inst.site.created." + site + ".-"},
		{"user event has neither", parley.OutboxEvent{Kind: parley.EventUserCreated},
			"parley.inst.user.created.-.-"},
		{"underscore in a verb stays", parley.OutboxEvent{Kind: parley.EventUserRoleChanged},
			"parley.inst.user.role_changed.-.-"},
		{"kind without a verb gets a dash", parley.OutboxEvent{Kind: "ping"}, "parley.inst.ping.-.-.-"},
		{"extra dots and wildcards cannot add tokens", parley.OutboxEvent{Kind: "a.b.c", SiteID: "*", StoryID: "> x"},
			"parley.inst.a.b_c._.__x"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := nats.Subject("inst", tt.ev); got != tt.want {
				t.Fatalf("Subject = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidateInstance(t *testing.T) {
	for _, name := range []string{"a", "news", "news-eu_1", "0abc"} {
		if err := nats.ValidateInstance(name); err != nil {
			t.Errorf("ValidateInstance(%q) = %v, want nil", name, err)
		}
	}
	for _, name := range []string{"", "News", "a.b", "a*", ">", "-a", "a b", "moderation", "é",
		strings.Repeat("a", 65)} {
		err := nats.ValidateInstance(name)
		if parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("ValidateInstance(%q) = %v, want EINVALID", name, err)
		}
	}
}

func TestEnvelopeRoundTrip(t *testing.T) {
	ev := parley.OutboxEvent{ID: "0190a7e0-0000-7000-8000-000000000009", Kind: parley.EventCommentCreated,
		SiteID: "s", StoryID: "st", Payload: json.RawMessage(`{"id":"c1"}`),
		CreatedAt: time.Date(2026, 5, 1, 12, 0, 0, 123456000, time.FixedZone("CEST", 7200))}
	body, err := json.Marshal(nats.NewEnvelope(ev))
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(body, &fields); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": ev.ID, "kind": ev.Kind, "siteID": "s", "storyID": "st",
		"payload": map[string]any{"id": "c1"}, "createdAt": "2026-05-01T10:00:00.123456Z"}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Fatalf("wire form (-want +got):\n%s", diff)
	}
	env, err := nats.DecodeEnvelope(body)
	if err != nil {
		t.Fatal(err)
	}
	if got := env.Event(); !got.CreatedAt.Equal(ev.CreatedAt) || got.ID != ev.ID || string(got.Payload) != string(ev.Payload) {
		t.Fatalf("round trip = %+v, want %+v", got, ev)
	}
	if _, err := nats.DecodeEnvelope([]byte(`{"payload":{}}`)); err == nil {
		t.Fatal("an envelope without id and kind decoded")
	}
}

package parley_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

// samples holds one payload of every kind, with every field set.
func samples() []parley.EventPayload {
	at := time.Date(2026, 5, 1, 10, 0, 0, 123456000, time.UTC)
	later := at.Add(time.Hour)
	snap := parley.CommentSnapshot{ID: "c1", StoryID: "st1", SiteID: "si1", AuthorID: "u1", ParentID: "c0", RootID: "c0",
		Depth: 1, Status: parley.StatusPending, Body: "<p>hi</p>", BodySource: "hi", CreatedAt: at, EditedAt: &later, Version: 2}
	site := parley.SiteCreated{ID: "si1", Name: "News", AllowedOrigins: []string{"https://news.example.org"},
		Settings: parley.SiteSettings{MaxDepth: 3, PremodLinks: true}}
	story := parley.StoryCreated{ID: "st1", SiteID: "si1", URL: "https://news.example.org/a", Title: "A", Closed: true,
		Moderation: "PREMOD", CreatedAt: at, UpdatedAt: later}
	precision := 0.5
	proposal := parley.RuleProposal{ID: "p1", SiteID: "si1", AuthorID: "u1", Kind: parley.ProposalChangeRule, State: parley.ProposalOpen,
		RuleID: "r1", BaseVersion: 1, Name: "links", Expression: "comment.links > 2", Effect: parley.RuleEffect{Kind: parley.EffectFlag, Code: "LINKS"},
		Rationale: "Spam waves.", Votes: []parley.RuleVote{{UserID: "m1", Approve: true, Moderator: true, VotedAt: at}},
		Tally: parley.VoteTally{ModeratorsFor: 1, ModeratorQuorum: 2},
		Backtest: &parley.BacktestReport{Requested: 10, Comments: 8, ChangedCount: 1, Changed: []parley.BacktestChange{{CommentID: "c1", StoryID: "st1", StoryURL: "https://news.example.org/a", Before: parley.DecisionPass, After: parley.DecisionHold}},
			Agreement: []parley.EffectAgreement{{Effect: "HOLD", Predicted: 1, Precision: &precision}}, DurationMs: 3, RanAt: at, Method: "stored bodies"},
		CreatedAt: at, OpenedAt: &at}
	reaction := parley.ReactionAdded{CommentID: "c1", AuthorID: "u1", UserID: "u2", ReactionKind: "respect", ReactionCount: 4}
	return []parley.EventPayload{
		parley.CommentCreated{CommentSnapshot: snap, RepliedToAuthorID: "u9", DecidedBy: "links"},
		parley.CommentEdited{CommentSnapshot: snap, PreviousStatus: parley.StatusPublished, DecidedBy: "wordlist"},
		parley.CommentDeleted{ID: "c1", StoryID: "st1", SiteID: "si1", AuthorID: "u1", PreviousStatus: parley.StatusPublished, DeletedAt: &later},
		parley.CommentModerated{ActionID: "a1", CommentID: "c1", AuthorID: "u1", ModeratorID: "m1", Action: parley.ActionReject,
			Reason: "SPAM", PreviousStatus: parley.StatusPending, Status: parley.StatusRejected, Featured: true},
		parley.CommentReported{ReportID: "r1", CommentID: "c1", AuthorID: "u1", UserID: "u2", Reason: parley.ReportSpam, Details: "ads", ReportCount: 2},
		reaction,
		parley.ReactionRemoved(reaction),
		parley.UserCreated{ID: "u1", Username: "ada"},
		parley.UserDeleted{ID: "u1"},
		parley.UserRoleChanged{UserID: "u1", Role: parley.RoleModerator},
		parley.UserSanctioned{SanctionID: "s1", UserID: "u1", SanctionKind: "SUSPEND", ModeratorID: "m1", ExpiresAt: &later, RevokedAt: &later, RevokedBy: "m2"},
		site,
		parley.SiteUpdated(site),
		parley.WordListChanged{WordList: parley.WordListBanned, Version: "v-abc", TermCount: 12},
		story,
		parley.StoryUpdated(story),
		parley.ProposalChanged{Proposal: proposal, Change: parley.ProposalVoted},
		parley.RuleEnacted{Proposal: proposal, Rule: &parley.Rule{ID: "r1", SiteID: "si1", Name: "links", Expression: "comment.links > 2",
			Effect: parley.RuleEffect{Kind: parley.EffectHold}, Version: 2, ProposalID: "p1", EnactedAt: later}, RulesVersion: 7},
		parley.TokensRevoked{UserID: "u1", TokenID: "t1"},
		parley.ImportCompleted{ImportID: "i1", Source: "coral", Part: 1, Parts: 2, Imported: 10, Duplicates: 1, Reactions: 3, Skipped: 2,
			Stories: []parley.StoryComments{{StoryID: "st1", Comments: 10}}, Authors: []parley.AuthorComments{{UserID: "u1", Published: 8, Rejected: 1}}},
		parley.CommentsClaimed{UserID: "u1", Comments: 3, Published: 2, Rejected: 1, Stories: []parley.StoryComments{{StoryID: "st1", Comments: 3}}},
		parley.LabelSubscriptionChanged{PeerID: "p1", Removed: true},
	}
}

func TestEventsRoundTrip(t *testing.T) {
	covered := map[string]bool{}
	for _, p := range samples() {
		t.Run(p.Kind(), func(t *testing.T) {
			data, err := parley.EncodeEvent(p)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(data), `{"v":1,`) {
				t.Fatalf("payload does not start with its version: %s", data)
			}
			got, err := parley.DecodeEvent(p.Kind(), data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, p) {
				t.Fatalf("decoded %#v\nwant %#v", got, p)
			}
			// Every field is set in the sample, so a field the JSON loses shows as a zero here.
			if v := reflect.ValueOf(got); hasZeroField(v) {
				t.Fatalf("the sample leaves a field unset: %#v", got)
			}
		})
		covered[p.Kind()] = true
	}
	for _, k := range parley.EventKinds() {
		if !covered[k] {
			t.Errorf("kind %s has no sample", k)
		}
	}
}

// hasZeroField reports whether a struct (or one it embeds) has a field at its zero value.
func hasZeroField(v reflect.Value) bool {
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() == reflect.Struct && v.Type().Field(i).Anonymous {
			if hasZeroField(f) {
				return true
			}
		} else if f.IsZero() {
			return true
		}
	}
	return false
}

// TestEventFieldNames pins the JSON names that the widget, the dashboard and integrators read:
// a comment's fields sit at the top of its payload, not under a key of their own.
func TestEventFieldNames(t *testing.T) {
	for _, tc := range []struct {
		p    parley.EventPayload
		keys string
	}{
		{samples()[0], "authorID body bodySource createdAt decidedBy depth editedAt id parentID repliedToAuthorID rootID siteID status storyID v version"},
		{samples()[2], "authorID deletedAt id previousStatus siteID storyID v"},
		{samples()[3], "action actionID authorID commentID featured moderatorID previousStatus reason status v"},
		{samples()[4], "authorID commentID details reason reportCount reportID userID v"},
		{samples()[5], "authorID commentID kind reactionCount userID v"},
		{samples()[9], "role userID v"},
		{samples()[10], "expiresAt kind moderatorID revokedAt revokedBy sanctionID userID v"},
		{samples()[11], "allowedOrigins id name settings v"},
		{samples()[13], "termCount v version wordList"},
		{samples()[14], "closed createdAt id moderation siteID title updatedAt url v"},
	} {
		t.Run(tc.p.Kind(), func(t *testing.T) {
			if got := keysOf(t, tc.p); got != tc.keys {
				t.Fatalf("keys %q, want %q", got, tc.keys)
			}
		})
	}
}

func keysOf(t *testing.T, p parley.EventPayload) string {
	t.Helper()
	data, err := parley.EncodeEvent(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, " ")
}

func TestDecodeEventSkipsWhatItDoesNotKnow(t *testing.T) {
	for _, tc := range []struct {
		name, kind, data string
	}{
		{"a kind this build does not know", "comment.translated", `{"v":1,"id":"c1"}`},
		{"a newer version of a known kind", parley.EventCommentCreated, `{"v":99,"id":"c1","body":"<p>new shape</p>"}`},
		{"a newer version of a kind without fields", parley.EventUserDeleted, `{"v":2}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parley.DecodeEvent(tc.kind, []byte(tc.data))
			if !errors.Is(err, parley.ErrUnknownEvent) {
				t.Fatalf("err = %v, want ErrUnknownEvent", err)
			}
		})
	}
}

func TestDecodeEventRefusesMalformed(t *testing.T) {
	for _, tc := range []struct{ name, data string }{
		{"not JSON", `{"v":1,`},
		{"a field of the wrong type", `{"v":1,"id":7}`},
		{"a version that is not a number", `{"v":"1"}`},
		{"a negative version", `{"v":-1,"id":"c1"}`},
		{"an array", `[1]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parley.DecodeEvent(parley.EventCommentDeleted, []byte(tc.data))
			if err == nil || errors.Is(err, parley.ErrUnknownEvent) {
				t.Fatalf("err = %v, want a malformed-event error", err)
			}
		})
	}
}

func TestDecodeEventReadsPayloadsWithoutVersion(t *testing.T) {
	// Written before payloads carried "v", with the field names of the time.
	p, err := parley.DecodeEvent(parley.EventReactionRemoved, []byte(`{"commentID":"c1","userID":"u2","kind":"respect","reactionCount":0}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.(parley.ReactionRemoved); got.CommentID != "c1" || got.ReactionKind != "respect" || got.UserID != "u2" {
		t.Fatalf("decoded %+v", got)
	}
}

// alien is a payload outside the catalogue.
type alien struct{}

func (alien) Kind() string { return "alien.landed" }

func TestEncodeEventRefusesKindsOutsideTheCatalogue(t *testing.T) {
	if _, err := parley.EncodeEvent(alien{}); !errors.Is(err, parley.ErrUnknownEvent) {
		t.Fatalf("err = %v, want ErrUnknownEvent", err)
	}
	if _, err := parley.EncodeEvent(nil); err == nil {
		t.Fatal("a nil payload encoded")
	}
}

func TestOutboxEventDecode(t *testing.T) {
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	data, err := parley.EncodeEvent(parley.UserCreated{ID: "u1", Username: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := parley.OutboxEvent{ID: "e1", Kind: parley.EventUserCreated, SiteID: "si1", Payload: data, CreatedAt: at}.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != "e1" || e.SiteID != "si1" || e.Kind() != parley.EventUserCreated || !e.CreatedAt.Equal(at) ||
		e.Payload != (parley.UserCreated{ID: "u1", Username: "ada"}) {
		t.Fatalf("decoded %+v", e)
	}
	if _, err := (parley.OutboxEvent{ID: "e2", Kind: "user.teleported", Payload: data}).Decode(); !errors.Is(err, parley.ErrUnknownEvent) {
		t.Fatalf("err = %v, want ErrUnknownEvent", err)
	}
}

// FuzzDecodeEvent checks that any payload of any kind either decodes to a value that
// survives a round trip through EncodeEvent or is refused, and never panics.
func FuzzDecodeEvent(f *testing.F) {
	for _, p := range samples() {
		data, err := parley.EncodeEvent(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p.Kind(), data)
	}
	f.Add("comment.created", []byte(`{"v":99}`))
	f.Add("nope", []byte(`{}`))
	f.Add("user.deleted", []byte(`null`))
	f.Fuzz(func(t *testing.T, kind string, data []byte) {
		p, err := parley.DecodeEvent(kind, data)
		if err != nil {
			return
		}
		if p.Kind() != kind {
			t.Fatalf("decoded a %s payload as %s", p.Kind(), kind)
		}
		again, err := parley.EncodeEvent(p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := parley.DecodeEvent(kind, again)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip changed %#v into %#v", p, q)
		}
	})
}

// BenchmarkDecodeEvent measures what the feed pays once per subscription for each event:
// decoding a comment.created payload.
func BenchmarkDecodeEvent(b *testing.B) {
	data, err := parley.EncodeEvent(samples()[0])
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := parley.DecodeEvent(parley.EventCommentCreated, data); err != nil {
			b.Fatal(err)
		}
	}
}

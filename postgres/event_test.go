package postgres_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// TestEveryEventDecodesIntoItsType drives every writer of events and checks each event it
// wrote, those built in SQL included: it decodes into its kind's type, at the version this
// build writes, and its JSON has exactly the type's fields (no misspelled or missing key).
func TestEveryEventDecodesIntoItsType(t *testing.T) {
	t.Parallel()
	e := MustEnv(t)
	ctx := context.Background()
	site, story := e.MustStory(t)
	author, authorUser := e.MustUser(t)
	reader, readerUser := e.MustUser(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must2 := func(_ any, err error) { t.Helper(); must(err) }

	title, one := "Renamed", 1
	must2(e.sites.UpdateSiteSettings(e.admin, site.ID, parley.SiteSettingsUpdate{MaxDepth: &one}))
	must2(e.stories.UpdateStory(e.admin, story.ID, parley.StoryUpdate{Title: &title}))
	must2(postgres.NewWordListStore(e.db).SaveWordList(e.admin, &parley.WordList{SiteID: site.ID, Kind: parley.WordListBanned,
		Terms: "spam\neggs", TermCount: 2, Version: "v-test"}))
	peer := &parley.Peer{Name: "p" + strings.ReplaceAll(site.ID[:8], "-", ""), URL: "https://peer.example", Keys: []parley.PeerKey{},
		State: parley.PeerActive, TrustWeight: 0.5, MaxMessagesPerSecond: 1, MaxBytes: 1, MaxBacklog: 1}
	must(postgres.NewFederationStore(e.db).CreatePeer(ctx, peer))
	labels := postgres.NewLabelStore(e.db)
	must(labels.SubscribeLabels(ctx, &parley.LabelSubscription{SiteID: site.ID, PeerID: peer.ID, Weight: 1, Action: parley.LabelHide, Quorum: 1}))
	must(labels.UnsubscribeLabels(ctx, site.ID, peer.ID))
	must(e.users.SetSiteRole(e.admin, site.ID, readerUser.ID, parley.RoleMember))
	sso, err := e.accounts.UpsertSSOUser(ctx, site.ID, "subject-"+site.ID, "", "sso"+strings.ReplaceAll(site.ID[:8], "-", ""))
	must(err)

	theirs := e.MustComment(t, reader, story.ID, "", "theirs")
	mine := e.MustComment(t, author, story.ID, theirs.ID, "mine")
	must2(e.comments.EditComment(author, parley.EditCommentInput{CommentID: mine.ID, Body: "mine, edited"}))
	gone := e.MustComment(t, author, story.ID, "", "soon gone")
	must2(e.comments.DeleteComment(author, gone.ID))
	unseen := e.MustComment(t, author, story.ID, "", "never seen")
	postgrestest.Exec(t, e.db, `UPDATE comments SET status = 'PENDING' WHERE id = $1`, unseen.ID)
	must2(e.reactions.AddReaction(author, theirs.ID, "respect"))
	must2(e.reactions.AddReaction(reader, mine.ID, "respect"))
	must2(e.reactions.RemoveReaction(reader, mine.ID, "respect"))
	must2(e.reports.ReportComment(reader, parley.ReportInput{CommentID: mine.ID, Reason: parley.ReportSpam, Details: "ads"}))
	queues := postgres.NewQueueService(e.db)
	must2(queues.RejectComment(e.admin, parley.ModerateInput{CommentID: mine.ID, Reason: parley.RejectSpam}))
	must2(queues.ApproveComment(e.admin, parley.ModerateInput{CommentID: mine.ID}))
	sanctions := postgres.NewSanctionService(e.db)
	s, err := sanctions.Sanction(e.admin, parley.SanctionInput{UserID: authorUser.ID, SiteID: site.ID, Kind: parley.SanctionSuspend,
		Duration: time.Hour, Message: "Cool down."})
	must(err)
	must2(sanctions.RevokeSanction(e.admin, s.ID))
	rules := postgres.NewRuleStore(e.db)
	proposal := &parley.RuleProposal{SiteID: site.ID, AuthorID: readerUser.ID, Kind: parley.ProposalAddRule, State: parley.ProposalApproved,
		Name: "links", Expression: "comment.links > 2", Effect: parley.RuleEffect{Kind: parley.EffectHold}, Rationale: "Spam.", CreatedAt: time.Now()}
	must(rules.CreateProposal(ctx, proposal))
	_, _, err = rules.Enact(ctx, proposal.ID, time.Now())
	must(err)
	token := &parley.Token{UserID: readerUser.ID, Kind: "session", Hash: []byte("a token's hash of the event test " + site.ID)}
	must(e.accounts.CreateToken(ctx, token))
	must(e.accounts.RevokeToken(ctx, token.Hash))
	// A guest's comment, claimed by the reader once the reader's address (the one the guest
	// gave) is verified; and an import that added a comment.
	guest, guestUser := e.MustUser(t)
	e.MustComment(t, guest, story.ID, "", "as a guest")
	postgrestest.Exec(t, e.db, `UPDATE users SET guest = true, guest_email = lower($2), email = NULL WHERE id = $1`, guestUser.ID, readerUser.Email)
	postgrestest.Exec(t, e.db, `UPDATE users SET email_verified_at = now() WHERE id = $1`, readerUser.ID)
	must2(postgres.NewClaimStore(e.db).ClaimComments(ctx, readerUser.ID, strings.ToLower(readerUser.Email)))
	must(postgres.NewImportStore(e.db).FinishImport(ctx, site.ID, "event-test", parley.ImportDone{Imported: 1,
		Stories: map[string]int{story.ID: 1}, Authors: map[string]parley.AuthorComments{readerUser.ID: {UserID: readerUser.ID, Published: 1}}}))
	must(e.accounts.DeleteUser(ctx, authorUser.ID))

	rows, err := e.db.Pool().Query(ctx, `
		SELECT kind, payload FROM outbox
		WHERE site_id = $1 OR payload->>'id' = ANY($2::text[]) OR (kind = 'user.tokens_revoked' AND payload->>'userID' = ANY($2::text[]))
		ORDER BY created_at, id`,
		site.ID, []string{authorUser.ID, readerUser.ID, sso.ID})
	must(err)
	defer rows.Close()
	seen := map[string]int{}
	for rows.Next() {
		var kind string
		var payload []byte
		must(rows.Scan(&kind, &payload))
		seen[kind]++
		p, err := parley.DecodeEvent(kind, payload)
		if err != nil {
			t.Errorf("%s %s: %v", kind, payload, err)
			continue
		}
		var stored map[string]json.RawMessage
		must(json.Unmarshal(payload, &stored))
		if v := string(stored["v"]); v != "1" || parley.EventVersion(kind) != 1 {
			t.Errorf("%s written at version %q, this build writes %d", kind, v, parley.EventVersion(kind))
		}
		again, err := parley.EncodeEvent(p)
		must(err)
		var typed map[string]json.RawMessage
		must(json.Unmarshal(again, &typed))
		if got, want := keys(stored), keys(typed); got != want {
			t.Errorf("%s has the keys %q, its type %q: %s", kind, got, want, payload)
		}
		checkSQLBuilt(t, p, authorUser.ID, site.ID)
	}
	must(rows.Err())
	for _, k := range parley.EventKinds() {
		if seen[k] == 0 {
			t.Errorf("no %s event was written", k)
		}
	}
	// The account's deletion wrote a tombstone for each of its comments, in SQL.
	if seen[parley.EventCommentDeleted] != 3 {
		t.Errorf("%d comment.deleted events, want 3 (one by the author, two with the account)", seen[parley.EventCommentDeleted])
	}
}

// checkSQLBuilt checks the fields that account deletion fills in SQL rather than through
// parley.EncodeEvent.
func checkSQLBuilt(t *testing.T, p parley.EventPayload, authorID, siteID string) {
	t.Helper()
	switch p := p.(type) {
	case parley.CommentDeleted:
		if p.AuthorID != authorID || p.SiteID != siteID || p.ID == "" || p.DeletedAt == nil || p.PreviousStatus == "" {
			t.Errorf("comment.deleted %+v", p)
		}
	case parley.ReactionRemoved:
		if p.UserID == authorID && (p.AuthorID == "" || p.AuthorID == authorID || p.ReactionKind != "respect") {
			t.Errorf("reaction.removed with the account %+v", p)
		}
	}
}

// keys lists a JSON object's keys, sorted.
func keys(m map[string]json.RawMessage) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

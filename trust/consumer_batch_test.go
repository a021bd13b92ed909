package trust_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// TestHandleBatchAgreesWithHandle plays the same history on two sites, one event at a time
// on the first and in one run (with repeats, as a redelivery brings them) on the second,
// and finds the same signals, levels and ledger on both.
func TestHandleBatchAgreesWithHandle(t *testing.T) {
	e := MustEnv(t)
	one, run := e.MustScenario(t), e.MustScenario(t)
	at := time.Now()
	c := e.consumer(time.Now)
	MustConsume(t, c, e.MustSiteEvents(t, one.site.ID))
	events := e.MustSiteEvents(t, run.site.ID)
	repeated := append(append([]parley.OutboxEvent{}, events...), events[:len(events)/2]...)
	if err := c.HandleBatch(context.Background(), repeated); err != nil {
		t.Fatal(err)
	}
	same := cmpopts.IgnoreFields(parley.TrustSignals{}, "SiteID", "UserID", "AccountAge")
	compare := func(t *testing.T) {
		t.Helper()
		for i, u := range run.users() {
			want := e.MustSignals(t, one.site.ID, one.users()[i].ID, at)
			if diff := cmp.Diff(want, e.MustSignals(t, run.site.ID, u.ID, at), same); diff != "" {
				t.Errorf("signals of %s (-one at a time +in one run):\n%s", u.Username, diff)
			}
			wantRec, err := e.store.TrustRecord(context.Background(), one.site.ID, one.users()[i].ID)
			if err != nil {
				t.Fatal(err)
			}
			gotRec, err := e.store.TrustRecord(context.Background(), run.site.ID, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if wantRec.Level != gotRec.Level {
				t.Errorf("level of %s: %d in one run, %d one at a time", u.Username, gotRec.Level, wantRec.Level)
			}
		}
		var ledger [2]int
		for i, site := range []string{one.site.ID, run.site.ID} {
			if err := postgrestest.Pool(t, e.DB).QueryRow(context.Background(),
				`SELECT count(*) FROM trust_ledger WHERE site_id = $1`, site).Scan(&ledger[i]); err != nil {
				t.Fatal(err)
			}
		}
		if ledger[0] != ledger[1] || ledger[1] == 0 {
			t.Errorf("ledger events: %d one at a time, %d in one run", ledger[0], ledger[1])
		}
	}
	t.Run("a run gives what one event at a time gives", compare)
	t.Run("a run delivered again changes nothing", func(t *testing.T) {
		if err := c.HandleBatch(context.Background(), events); err != nil {
			t.Fatal(err)
		}
		compare(t)
	})
}

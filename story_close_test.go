package parley_test

import (
	"testing"
	"time"

	"github.com/parleyhq/parley"
)

func TestApplyAutoClose(t *testing.T) {
	created := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		days       int
		manual     bool
		reopened   time.Time
		now        time.Time
		wantClosed bool
		wantAt     *time.Time
	}{
		{name: "stays open without the setting", days: 0, now: created.AddDate(1, 0, 0)},
		{name: "stays open before the days pass", days: 2, now: created.AddDate(0, 0, 2).Add(-time.Second), wantAt: ptr(created.AddDate(0, 0, 2))},
		{name: "closes exactly when the days pass", days: 2, now: created.AddDate(0, 0, 2), wantClosed: true, wantAt: ptr(created.AddDate(0, 0, 2))},
		{name: "counts from the last reopening", days: 2, reopened: created.AddDate(0, 0, 5), now: created.AddDate(0, 0, 6), wantAt: ptr(created.AddDate(0, 0, 7))},
		{name: "leaves a story a moderator closed as it is", days: 2, manual: true, now: created, wantClosed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &parley.Story{CreatedAt: created, OpenSince: tc.reopened, Closed: tc.manual}
			s.ApplyAutoClose(tc.days, tc.now)
			if s.Closed != tc.wantClosed || (s.ClosesAt == nil) != (tc.wantAt == nil) || (tc.wantAt != nil && !s.ClosesAt.Equal(*tc.wantAt)) {
				t.Errorf("closed = %v, closesAt = %v; want %v, %v", s.Closed, s.ClosesAt, tc.wantClosed, tc.wantAt)
			}
			if s.AutoClosed != (tc.wantClosed && !tc.manual) {
				t.Errorf("autoClosed = %v", s.AutoClosed)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

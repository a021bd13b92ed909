package moderation_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation"
)

// BenchmarkDefaultPipeline measures the built-in pipeline's own cost per comment (no
// plug-ins, no storage: the author's history arrives with the submission) and reports its
// p50 and p99.
func BenchmarkDefaultPipeline(b *testing.B) {
	settings := parley.DefaultSiteSettings()
	settings.PremodLinks, settings.PremodNewCommenters, settings.HoldRejectionRate = true, 3, 0.5
	sub := &parley.Submission{Action: parley.ActionCreate, Settings: settings, Role: parley.RoleCommenter,
		Comment: &parley.Comment{Body: "<p>" + strings.Repeat("A reasonable sentence about the article. ", 20) + "</p>"},
		History: parley.AuthorHistory{Published: 10, RecentTotal: 10, RecentRejected: 1}}
	p := moderation.Default()
	ctx := context.Background()
	durations := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := p.Moderate(ctx, sub); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(durations[len(durations)*99/100].Nanoseconds()), "p99-ns")
}

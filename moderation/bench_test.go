package moderation_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
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

// sleeper is a plug-in that answers PASS after a fixed time, as a remote service would.
type sleeper time.Duration

func (sleeper) Name() string { return "plugin:sleeper" }

func (s sleeper) Check(ctx context.Context, _ *parley.Submission) (parley.Verdict, error) {
	t := time.NewTimer(time.Duration(s))
	defer t.Stop()
	select {
	case <-t.C:
		return parley.Verdict{Decision: parley.DecisionPass}, nil
	case <-ctx.Done():
		return parley.Verdict{}, ctx.Err()
	}
}

// BenchmarkEditThroughput measures edit throughput with 200 authors editing at once (each
// their own comment) against the default pool of postgres.DefaultMaxConns connections: with
// no plug-in, which is what the database allows, and with a plug-in that takes 200 ms. While
// the pipeline ran inside the edit's transaction, the pool bounded the second at
// DefaultMaxConns edits per 200 ms.
func BenchmarkEditThroughput(b *testing.B) {
	const editors = 200
	e := MustOwnEnv(b)
	site, story := e.MustStory(b)
	author, _ := e.MustUser(b)
	// An hour's edit window, so that long runs edit the same comments throughout.
	e.MustSettings(b, site, parley.SiteSettingsUpdate{EditWindowSeconds: ptr(3600)})
	procs := runtime.GOMAXPROCS(0)
	parallelism := (editors + procs - 1) / procs
	originals := MustComments(b, e.store, author, story.ID, parallelism*procs)
	var edits atomic.Int64
	for _, plugin := range []time.Duration{0, 200 * time.Millisecond} {
		b.Run(fmt.Sprintf("plugin=%s", plugin), func(b *testing.B) {
			comments := e.comments(moderation.NewPipeline(moderation.Step{Stage: sleeper(plugin), Budget: time.Second}))
			var next atomic.Int64
			b.SetParallelism(parallelism)
			b.RunParallel(func(pb *testing.PB) {
				c := originals[next.Add(1)-1]
				for pb.Next() {
					body := fmt.Sprintf("edit %d", edits.Add(1))
					if _, err := comments.EditComment(author, parley.EditCommentInput{CommentID: c.ID, Body: body}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "edits/s")
		})
	}
}

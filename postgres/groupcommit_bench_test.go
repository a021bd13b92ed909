package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// BenchmarkCreateCommentConcurrent writes comments from 64 writers at once on one story,
// with group commit (the default), with each comment in its own transaction, and with each
// in its own transaction under PostgreSQL's commit_delay (1 ms, commit_siblings 5), the
// server-side alternative; README's "Writes" quotes it.
//
//	go test ./postgres -run '^$' -bench CreateCommentConcurrent -benchtime 5s
func BenchmarkCreateCommentConcurrent(b *testing.B) {
	e := MustEnv(b)
	_, story := e.MustStory(b)
	writers := make([]context.Context, 64)
	for i := range writers {
		writers[i], _ = e.MustUser(b)
	}
	var db string
	if err := e.db.Pool().QueryRow(context.Background(), `SELECT current_database()`).Scan(&db); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []struct {
		name        string
		group       bool
		commitDelay int
	}{{"group", true, 0}, {"alone", false, 0}, {"alone-commit_delay", false, 1000}} {
		b.Run(mode.name, func(b *testing.B) {
			postgrestest.Exec(b, e.db, fmt.Sprintf(`ALTER DATABASE %q SET commit_delay = %d`, db, mode.commitDelay))
			e.db.Pool().Reset() // new connections take the setting
			e.db.SetGroupCommit(mode.group)
			b.Cleanup(func() {
				postgrestest.Exec(b, e.db, fmt.Sprintf(`ALTER DATABASE %q RESET commit_delay`, db))
				e.db.Pool().Reset()
				e.db.SetGroupCommit(true)
			})
			var n atomic.Int64
			b.SetParallelism(32)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					ctx := writers[int(i)%len(writers)]
					if _, err := e.comments.CreateComment(ctx, parley.CreateCommentInput{StoryID: story.ID, Body: fmt.Sprintf("benchmark comment %d", i)}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comments/s")
		})
	}
}

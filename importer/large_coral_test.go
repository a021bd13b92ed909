package importer_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/importer"
	"github.com/parleyhq/parley/markup"
)

// writeCoral writes a Coral export of n comments over n/20 stories by 500 users, a third of
// them replies to an earlier comment of their story, with a reaction on every fifth comment.
func writeCoral(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	rnd := rand.New(rand.NewPCG(seed, 2))
	stories := max(n/20, 1)
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	date := func(t time.Time) string { return `{"$date":"` + t.Format("2006-01-02T15:04:05.000Z") + `"}` }
	bw.WriteString(`{"users":[`)
	for u := range 500 {
		if u > 0 {
			bw.WriteByte(',')
		}
		fmt.Fprintf(bw, `{"id":"user-%d","username":"Reader %d","email":"reader%d@example.org","role":"COMMENTER","profiles":[{"type":"local","id":"reader%d@example.org"}],"createdAt":%s}`,
			u, u, u, u, date(start))
		bw.WriteByte('\n')
	}
	bw.WriteString(`],"stories":[`)
	for s := range stories {
		if s > 0 {
			bw.WriteByte(',')
		}
		fmt.Fprintf(bw, `{"id":"story-%d","url":"https://news.example.org/%d/story-%d","metadata":{"title":"Story %d"},"createdAt":%s}`,
			s, 2019+s%6, s, s, date(start.Add(time.Duration(s)*time.Hour)))
		bw.WriteByte('\n')
	}
	bw.WriteString(`],"comments":[`)
	perStory := make([][]int, stories)
	words := strings.Fields("the council said on Tuesday that a new bridge would be built over the river before winter and readers asked about costs delays parking schools")
	statuses := []string{"NONE", "NONE", "NONE", "APPROVED", "APPROVED", "PREMOD", "REJECTED", "SYSTEM_WITHHELD"}
	for i := range n {
		if i > 0 {
			bw.WriteByte(',')
		}
		s := rnd.IntN(stories)
		parent := "null"
		if prev := perStory[s]; len(prev) > 0 && rnd.IntN(3) == 0 {
			parent = strconv.Quote(fmt.Sprintf("comment-%d", prev[rnd.IntN(len(prev))]))
		}
		perStory[s] = append(perStory[s], i)
		var body strings.Builder
		for range 20 + rnd.IntN(60) {
			body.WriteString(words[rnd.IntN(len(words))])
			body.WriteByte(' ')
		}
		at := date(start.Add(time.Duration(i) * time.Minute))
		fmt.Fprintf(bw, `{"id":"comment-%d","storyID":"story-%d","parentID":%s,"authorID":"user-%d","status":"%s","revisions":[{"id":"rev-%d","body":"<p>%s</p>","createdAt":%s}],"actionCounts":{},"childIDs":[],"childCount":0,"tags":[],"createdAt":%s}`,
			i, s, parent, rnd.IntN(500), statuses[rnd.IntN(len(statuses))], i, body.String(), at, at)
		bw.WriteByte('\n')
	}
	bw.WriteString(`],"commentActions":[`)
	for i := 0; i < n; i += 5 {
		if i > 0 {
			bw.WriteByte(',')
		}
		fmt.Fprintf(bw, `{"id":"action-%d","actionType":"REACTION","commentID":"comment-%d","userID":"user-%d","createdAt":%s}`,
			i, i, rnd.IntN(500), date(start.Add(time.Duration(i)*time.Minute+time.Second)))
		bw.WriteByte('\n')
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

// TestWriteLargeCoral writes a generated Coral export for measuring `parley import`: set
// PARLEY_IMPORT_GENERATE_CORAL=path:comments (e.g. /tmp/coral.json:200000).
func TestWriteLargeCoral(t *testing.T) { writeLarge(t, "PARLEY_IMPORT_GENERATE_CORAL", writeCoral) }

// TestGeneratedCoralReads: the generator's output is a file the reader takes whole.
func TestGeneratedCoralReads(t *testing.T) {
	var b strings.Builder
	if err := writeCoral(&b, 200, 3); err != nil {
		t.Fatal(err)
	}
	n, err := importer.ReadAll("coral", strings.NewReader(b.String()))
	if err != nil || n != 200+10+40 {
		t.Fatalf("read %d items (%v), want 200 comments, 10 stories and 40 reactions", n, err)
	}
}

// BenchmarkImportCoral imports a generated export of b.N comments into a fresh site.
func BenchmarkImportCoral(b *testing.B) {
	e := MustEnv(b)
	site := e.MustSite(b)
	path := b.TempDir() + "/coral.json"
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := writeCoral(f, b.N, 2); err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.ResetTimer()
	im := importer.New(e.store, markup.NewRenderer(), importer.Options{})
	rep, err := im.Import(context.Background(), site.ID, "coral", func() (io.ReadCloser, error) { return os.Open(path) })
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(rep.Imported)/b.Elapsed().Seconds(), "comments/s")
}

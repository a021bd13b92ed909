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

// writeDisqus writes a Disqus export of n comments over n/20 threads, a third of them replies
// to an earlier comment of their thread, with realistic bodies and a few hundred authors.
func writeDisqus(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	rnd := rand.New(rand.NewPCG(seed, 1))
	threads := max(n/20, 1)
	fmt.Fprintln(bw, `<?xml version="1.0" encoding="utf-8"?>`)
	fmt.Fprintln(bw, `<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">`)
	start := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	for t := range threads {
		fmt.Fprintf(bw, "<thread dsq:id=\"t%d\"><link>https://news.example.org/%d/story-%d</link><title>Story %d</title><createdAt>%s</createdAt><isClosed>false</isClosed><isDeleted>false</isDeleted></thread>\n",
			t, 2015+t%8, t, t, start.Add(time.Duration(t)*time.Hour).Format(time.RFC3339))
	}
	perThread := make([][]int, threads)
	words := strings.Fields("the council said on Tuesday that a new bridge would be built over the river before winter and readers asked about costs delays parking schools")
	for i := range n {
		t := rnd.IntN(threads)
		parent := ""
		if prev := perThread[t]; len(prev) > 0 && rnd.IntN(3) == 0 {
			parent = fmt.Sprintf(`<parent dsq:id="p%d" />`, prev[rnd.IntN(len(prev))])
		}
		perThread[t] = append(perThread[t], i)
		var body strings.Builder
		for range 20 + rnd.IntN(60) {
			body.WriteString(words[rnd.IntN(len(words))])
			body.WriteByte(' ')
		}
		u := rnd.IntN(500)
		fmt.Fprintf(bw, "<post dsq:id=\"p%d\"><message><![CDATA[<p>%s</p>]]></message><createdAt>%s</createdAt><isDeleted>false</isDeleted><isSpam>%t</isSpam><author><email>reader%d@example.org</email><name>Reader %d</name><isAnonymous>false</isAnonymous><username>reader%d</username></author><thread dsq:id=\"t%d\" />%s</post>\n",
			i, body.String(), start.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), rnd.IntN(100) == 0, u, u, u, t, parent)
	}
	fmt.Fprintln(bw, `</disqus>`)
	return bw.Flush()
}

// TestWriteLargeDisqus writes a generated export for measuring `parley import`: set
// PARLEY_IMPORT_GENERATE=path:comments (e.g. /tmp/disqus.xml:200000).
func TestWriteLargeDisqus(t *testing.T) { writeLarge(t, "PARLEY_IMPORT_GENERATE", writeDisqus) }

// writeLarge writes the file that the environment variable env names as path:comments with
// write, and skips the test when env is unset.
func writeLarge(t *testing.T, env string, write func(w io.Writer, n int, seed uint64) error) {
	spec := os.Getenv(env)
	if spec == "" {
		t.Skipf("set %s=path:comments to write a large export", env)
	}
	path, count, _ := strings.Cut(spec, ":")
	n, err := strconv.Atoi(count)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := write(f, n, 1); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkImportDisqus imports a generated export of b.N comments into a fresh site.
func BenchmarkImportDisqus(b *testing.B) {
	e := MustEnv(b)
	site := e.MustSite(b)
	path := b.TempDir() + "/disqus.xml"
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := writeDisqus(f, b.N, 2); err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.ResetTimer()
	im := importer.New(e.store, markup.NewRenderer(), importer.Options{})
	rep, err := im.Import(context.Background(), site.ID, "disqus", func() (io.ReadCloser, error) { return os.Open(path) })
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(rep.Imported)/b.Elapsed().Seconds(), "comments/s")
}

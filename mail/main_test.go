package mail_test

import (
	"context"
	"os"
	"testing"

	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// db is the package's test database; each test queues mail to addresses of its own.
var db *postgres.DB

func TestMain(m *testing.M) {
	d, cleanup, err := postgrestest.OpenDB(context.Background())
	if err != nil {
		postgrestest.Unavailable(err)
	}
	db = d
	code := m.Run()
	cleanup()
	os.Exit(code)
}

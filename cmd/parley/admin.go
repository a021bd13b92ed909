package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/postgres"
)

// migrate applies pending migrations and exits; serve also does it at start.
func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	a, err := openApp(ctx, "migrate", args, getenv, stderr)
	if err != nil {
		return err
	}
	a.db.Close()
	fmt.Fprintln(stdout, "Migrations applied.")
	return nil
}

// adminCreate creates an administrator from the command line.
func adminCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "the administrator's email")
	username := fs.String("username", "", "the administrator's username")
	password := fs.String("password", getenv("PARLEY_ADMIN_PASSWORD"), "the password (default from PARLEY_ADMIN_PASSWORD)")
	databaseURL := fs.String("database-url", getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, "admin create", []string{"--database-url", *databaseURL}, getenv, stderr)
	if err != nil {
		return err
	}
	defer a.db.Close()
	accounts := auth.NewService(postgres.NewAccountStore(a.db), auth.Options{Logger: a.logger, SessionTTL: a.cfg.SessionTTL})
	u, err := accounts.CreateAdmin(ctx, parley.SignUpInput{Email: *email, Username: *username, Password: *password})
	if err != nil {
		return fmt.Errorf("%s", parley.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "Administrator %s (%s) created.\n", u.Username, u.Email)
	return nil
}

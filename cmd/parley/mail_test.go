package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/parleyhq/parley/mail/mailpittest"
	"github.com/parleyhq/parley/postgres/postgrestest"
)

// gqlAnswer is a GraphQL answer with its errors' codes and fields.
type gqlAnswer struct {
	Data   map[string]any
	Errors []struct {
		Message    string
		Extensions struct{ Code, Field string }
	}
}

// postGQL sends a GraphQL request with headers and returns the answer, errors included.
func postGQL(t *testing.T, base, token, lang, query string, vars map[string]any) gqlAnswer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", lang)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var a gqlAnswer
	raw, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("%s: %s", query, raw)
	}
	return a
}

// TestMailThroughServe runs `parley serve` with a real SMTP server (mailpit) and follows the
// mailed links as a reader would: the mail, the page the link opens, and the account after.
func TestMailThroughServe(t *testing.T) {
	pit := mailpittest.MustOpen(t)
	dsn, drop, err := postgrestest.CreateDatabase(context.Background())
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	t.Cleanup(func() { _ = drop() })
	const public = "http://comments.example"
	base := startServe(t, map[string]string{
		"DATABASE_URL": dsn, "PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": t.TempDir(),
		"PARLEY_PUBLIC_URL": public, "PARLEY_SMTP_URL": pit.SMTPURL, "PARLEY_MAIL_FROM": "Parley <noreply@comments.example>",
	})
	email := mailpittest.Address(t)
	const password = "correct horse battery staple"
	signUp := postGQL(t, base, "", "de-DE,de;q=0.9", `mutation($i: SignUpInput!){ signUp(input: $i) { token user { emailVerified } } }`,
		map[string]any{"i": map[string]any{"email": email, "username": "mailreader", "password": password}})
	if len(signUp.Errors) > 0 {
		t.Fatalf("signUp: %+v", signUp.Errors)
	}
	session := signUp.Data["signUp"].(map[string]any)["token"].(string)
	link := func(t *testing.T, n int, subject string) string {
		t.Helper()
		for _, m := range pit.MustMessages(t, email, n) {
			if m.Subject == subject {
				u := regexp.MustCompile(regexp.QuoteMeta(public) + `/account/\w+\?token=[\w-]+`).FindString(m.Text)
				return strings.Replace(u, public, base, 1)
			}
		}
		t.Fatalf("no mail %q", subject)
		return ""
	}

	t.Run("sign-up mails a verification link in the reader's language, and the page confirms it", func(t *testing.T) {
		page := link(t, 1, "Bestätigen Sie Ihre E-Mail-Adresse")
		res, err := http.Get(page)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Security-Policy"), "form-action 'self'") || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("GET %s: %s %v", page, res.Status, res.Header)
		}
		u, _ := url.Parse(page)
		res, err = http.PostForm(page, url.Values{"token": {u.Query().Get("token")}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(b), "your address is confirmed") {
			t.Fatalf("POST: %s %s", res.Status, b)
		}
		a := postGQL(t, base, session, "en", `{ viewer { emailVerified } }`, nil)
		if v := a.Data["viewer"].(map[string]any)["emailVerified"]; v != true {
			t.Errorf("emailVerified = %v", v)
		}
	})

	t.Run("a reset link's page sets the password and signs out every session", func(t *testing.T) {
		a := postGQL(t, base, "", "en", `mutation($i: RequestPasswordResetInput!){ requestPasswordReset(input: $i) }`,
			map[string]any{"i": map[string]any{"email": email}})
		if len(a.Errors) > 0 || a.Data["requestPasswordReset"] != true {
			t.Fatalf("requestPasswordReset: %+v", a)
		}
		page := link(t, 2, "Reset your password")
		token := page[strings.Index(page, "token=")+len("token="):]
		post := func(pw string) (int, string) {
			res, err := http.PostForm(page, url.Values{"token": {token}, "password": {pw}})
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		if status, body := post("short"); status != http.StatusBadRequest || !strings.Contains(body, "at least 10") || !strings.Contains(body, "<form") {
			t.Errorf("short password: %d %s", status, body)
		}
		if status, body := post("a brand new password"); status != http.StatusOK || !strings.Contains(body, "Your password is changed") {
			t.Fatalf("reset: %d %s", status, body)
		}
		if status, _ := post("another new password"); status != http.StatusNotFound {
			t.Errorf("second use: %d, want 404", status)
		}
		a = postGQL(t, base, session, "en", `{ viewer { id } }`, nil)
		if len(a.Errors) == 0 || a.Errors[0].Extensions.Code != "UNAUTHENTICATED" {
			t.Errorf("old session after reset: %+v", a)
		}
		a = postGQL(t, base, "", "en", `mutation($i: SignInInput!){ signIn(input: $i) { token } }`,
			map[string]any{"i": map[string]any{"login": email, "password": "a brand new password"}})
		if len(a.Errors) > 0 {
			t.Errorf("sign in with the new password: %+v", a.Errors)
		}
	})

	t.Run("bad input is INVALID with the field named", func(t *testing.T) {
		for _, tc := range []struct {
			name, query string
			vars        map[string]any
			field       string
		}{
			{"an address without @", `mutation($i: RequestPasswordResetInput!){ requestPasswordReset(input: $i) }`, map[string]any{"i": map[string]any{"email": "nobody"}}, "email"},
			{"an oversized address", `mutation($i: RequestPasswordResetInput!){ requestPasswordReset(input: $i) }`, map[string]any{"i": map[string]any{"email": strings.Repeat("a", 300) + "@example.org"}}, "email"},
			{"a damaged token", `mutation($i: ResetPasswordInput!){ resetPassword(input: $i) }`, map[string]any{"i": map[string]any{"token": "pmt_x", "password": "a brand new password"}}, "token"},
			{"a damaged verification token", `mutation($i: VerifyEmailInput!){ verifyEmail(input: $i) }`, map[string]any{"i": map[string]any{"token": "junk"}}, "token"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				a := postGQL(t, base, "", "en", tc.query, tc.vars)
				if len(a.Errors) != 1 || a.Errors[0].Extensions.Code != "INVALID" || a.Errors[0].Extensions.Field != tc.field {
					t.Fatalf("got %+v, want INVALID naming %s", a.Errors, tc.field)
				}
			})
		}
	})

	t.Run("an unknown address gets the same answer", func(t *testing.T) {
		a := postGQL(t, base, "", "en", `mutation($i: RequestPasswordResetInput!){ requestPasswordReset(input: $i) }`,
			map[string]any{"i": map[string]any{"email": mailpittest.Address(t)}})
		if len(a.Errors) > 0 || a.Data["requestPasswordReset"] != true {
			t.Fatalf("got %+v", a)
		}
	})
}

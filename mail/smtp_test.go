package mail_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/mail"
	"github.com/parleyhq/parley/mail/mailpittest"
)

const from = "Parley <noreply@parley.example>"

// MustSMTP returns a sender to the URL.
func MustSMTP(tb testing.TB, url string) *mail.SMTP {
	tb.Helper()
	s, err := mail.NewSMTP(url, from)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestSMTPSend(t *testing.T) {
	pit := mailpittest.MustOpen(t)
	t.Run("delivers text and HTML alternatives with their headers", func(t *testing.T) {
		to := mailpittest.Address(t)
		m := &parley.Mail{To: to, Subject: "Grüße aus Parley", Text: "Hallo Jürgen,\nhttps://parley.example/reset?token=abc\n",
			HTML: "<p>Hallo J&uuml;rgen</p>", Headers: map[string]string{"List-Unsubscribe": "<https://parley.example/u?t=x>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}}
		if err := MustSMTP(t, pit.SMTPURL).Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		got := pit.MustMessages(t, to, 1)[0]
		if got.Subject != m.Subject || !strings.Contains(got.Text, "Hallo Jürgen,") || !strings.Contains(got.HTML, "<p>Hallo J&uuml;rgen</p>") {
			t.Errorf("got subject %q text %q html %q", got.Subject, got.Text, got.HTML)
		}
		if got.From.Address != "noreply@parley.example" {
			t.Errorf("From = %q", got.From.Address)
		}
		if h := got.Headers["List-Unsubscribe-Post"]; len(h) != 1 || h[0] != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post = %q", h)
		}
	})
	t.Run("signs in with PLAIN on loopback", func(t *testing.T) {
		to := mailpittest.Address(t)
		url := strings.Replace(pit.SMTPURL, "smtp://", "smtp://parley:secret@", 1)
		if err := MustSMTP(t, url).Send(context.Background(), &parley.Mail{To: to, Subject: "s", Text: "t"}); err != nil {
			t.Fatal(err)
		}
		pit.MustMessages(t, to, 1)
	})
	t.Run("refuses a server without STARTTLS when the URL requires it", func(t *testing.T) {
		err := MustSMTP(t, pit.SMTPURL+"?starttls=required").Send(context.Background(), &parley.Mail{To: mailpittest.Address(t), Subject: "s", Text: "t"})
		if err == nil || !strings.Contains(err.Error(), "STARTTLS") || mail.IsPermanent(err) {
			t.Errorf("err = %v, want a temporary STARTTLS refusal", err)
		}
	})
	t.Run("fails a closed port as temporary", func(t *testing.T) {
		err := MustSMTP(t, "smtp://"+closedAddr(t)).Send(context.Background(), &parley.Mail{To: mailpittest.Address(t), Subject: "s", Text: "t"})
		if err == nil || mail.IsPermanent(err) {
			t.Errorf("err = %v, want a temporary failure", err)
		}
	})
	t.Run("refuses a recipient with header-breaking characters for good", func(t *testing.T) {
		err := MustSMTP(t, pit.SMTPURL).Send(context.Background(), &parley.Mail{To: "a@b.org\r\nBcc: c@d.org", Subject: "s", Text: "t"})
		if !mail.IsPermanent(err) {
			t.Errorf("err = %v, want permanent", err)
		}
	})
}

// closedAddr is a loopback address where nothing listens: a mail server that is down.
func closedAddr(tb testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestNewSMTP(t *testing.T) {
	for _, tc := range []struct{ name, url, from, want string }{
		{"a wrong scheme fails", "http://mail.example:25", from, "PARLEY_SMTP_URL: scheme"},
		{"a missing host fails", "smtp://", from, "PARLEY_SMTP_URL: host"},
		{"an unknown starttls mode fails", "smtp://mail.example?starttls=maybe", from, "PARLEY_SMTP_URL: starttls"},
		{"a bad insecure_skip_verify fails", "smtps://mail.example?insecure_skip_verify=perhaps", from, "PARLEY_SMTP_URL: insecure_skip_verify"},
		{"a bad From fails", "smtp://mail.example", "not an address", "PARLEY_MAIL_FROM"},
		{"smtps with a user passes", "smtps://u:p@mail.example", from, ""},
		{"smtp with required STARTTLS passes", "smtp://mail.example:587?starttls=required", from, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mail.NewSMTP(tc.url, tc.from)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// Package mail sends Parley's email: an SMTP sender, a queue that every replica drains from
// PostgreSQL through parley.MailStore, and templates in the reader's language with a plain
// text and an HTML part. Callers render a template into a parley.Mail and queue it; nothing
// else in Parley speaks SMTP.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// Sender hands one finished message to a mail server, or to wherever the deployment sends
// mail (the log, in development without a server).
type Sender interface {
	Send(ctx context.Context, m *parley.Mail) error
}

// TLS modes of an smtp:// URL, chosen with its ?starttls= option.
const (
	// StartTLSAuto upgrades with STARTTLS when the server offers it, and sends in the clear
	// otherwise. It is the default, as with most mail software.
	StartTLSAuto = "auto"
	// StartTLSRequired refuses to send unless the server offers STARTTLS.
	StartTLSRequired = "required"
	// StartTLSNever never upgrades, for a local relay whose certificate cannot be checked.
	StartTLSNever = "never"
)

// SMTP sends mail through one SMTP server named by a URL: smtp://user:pass@host:587 (STARTTLS
// as its ?starttls= option says: auto, required or never) or smtps://user:pass@host:465
// (TLS from the first byte). ?insecure_skip_verify=true accepts any certificate, for test
// servers only. Each message is one connection, so a dropped connection costs one message.
type SMTP struct {
	addr       string
	host       string
	implicit   bool
	starttls   string
	skipVerify bool
	auth       smtp.Auth
	from       *mail.Address
	hello      string
	timeout    time.Duration
}

// NewSMTP parses an SMTP URL and the From address (such as "Parley <noreply@example.org>").
// Errors name the setting, since they come from the operator's configuration.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("PARLEY_SMTP_URL: %v", err)
	}
	s := &SMTP{host: u.Hostname(), starttls: StartTLSAuto, timeout: 30 * time.Second, hello: "localhost"}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		if port == "" {
			port = "587"
		}
	case "smtps":
		s.implicit = true
		if port == "" {
			port = "465"
		}
	default:
		return nil, fmt.Errorf("PARLEY_SMTP_URL: scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if s.host == "" {
		return nil, errors.New("PARLEY_SMTP_URL: host is missing")
	}
	s.addr = net.JoinHostPort(s.host, port)
	q := u.Query()
	switch v := q.Get("starttls"); v {
	case "", StartTLSAuto:
	case StartTLSRequired, StartTLSNever:
		s.starttls = v
	default:
		return nil, fmt.Errorf("PARLEY_SMTP_URL: starttls must be auto, required or never, not %q", v)
	}
	if v := q.Get("insecure_skip_verify"); v != "" {
		if s.skipVerify, err = strconv.ParseBool(v); err != nil {
			return nil, fmt.Errorf("PARLEY_SMTP_URL: insecure_skip_verify must be true or false")
		}
	}
	if v := q.Get("helo"); v != "" {
		s.hello = v
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		// PlainAuth refuses to send the password over a connection that is neither TLS nor
		// to localhost, which is the guard we want.
		s.auth = smtp.PlainAuth("", u.User.Username(), pass, s.host)
	}
	if s.from, err = mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("PARLEY_MAIL_FROM: %v", err)
	}
	return s, nil
}

// From is the sender's address, which templates and Message-IDs use.
func (s *SMTP) From() *mail.Address { return s.from }

// Send implements Sender: one SMTP conversation, bounded by the context and a timeout.
func (s *SMTP) Send(ctx context.Context, m *parley.Mail) error {
	msg, err := Compose(s.from, m, time.Now())
	if err != nil {
		return Permanent(err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	tlsConfig := &tls.Config{ServerName: s.host, InsecureSkipVerify: s.skipVerify, MinVersion: tls.VersionTLS12}
	var conn net.Conn
	d := &net.Dialer{}
	if s.implicit {
		conn, err = (&tls.Dialer{NetDialer: d, Config: tlsConfig}).DialContext(ctx, "tcp", s.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return fmt.Errorf("connect to %s: %w", s.addr, err)
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("greeting from %s: %w", s.addr, err)
	}
	defer c.Close()
	if err := c.Hello(s.hello); err != nil {
		return classify(err)
	}
	if !s.implicit && s.starttls != StartTLSNever {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConfig); err != nil {
				return fmt.Errorf("STARTTLS with %s: %w", s.addr, err)
			}
		} else if s.starttls == StartTLSRequired {
			return fmt.Errorf("%s does not offer STARTTLS, which PARLEY_SMTP_URL requires", s.addr)
		}
	}
	if s.auth != nil {
		if err := c.Auth(s.auth); err != nil {
			return classify(err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return classify(err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return classify(err)
	}
	w, err := c.Data()
	if err != nil {
		return classify(err)
	}
	if _, err := w.Write(msg); err != nil {
		return classify(err)
	}
	if err := w.Close(); err != nil {
		return classify(err)
	}
	// The message is accepted once DATA is answered; a failed QUIT changes nothing.
	_ = c.Quit()
	return nil
}

// classify marks a 5xx answer permanent: the server refused this message for good (an
// unknown mailbox, a rejected sender), so trying again would only repeat the refusal.
func classify(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return Permanent(err)
	}
	return err
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as a failure that retrying cannot cure, so the queue gives the mail up.
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// ValidateAddress checks a recipient as the mail server will see it: one bare address,
// at most 254 bytes, with no display name or header-breaking characters.
func ValidateAddress(addr string) error {
	if err := parley.ValidateEmail(addr); err != nil {
		return err
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || strings.ContainsAny(addr, "\r\n") {
		return parley.FieldErrorf("email", "Email must look like name@example.org.")
	}
	return nil
}

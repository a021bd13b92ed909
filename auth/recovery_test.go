package auth_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/mail"
	"github.com/parleyhq/parley/mail/mailpittest"
	"github.com/parleyhq/parley/postgres"
	"github.com/parleyhq/parley/postgres/postgrestest"
	"github.com/parleyhq/parley/ratelimit"
)

// recoveryEnv is the recovery service sending through a real queue into mailpit, with a
// clock the tests move.
type recoveryEnv struct {
	store *postgres.AccountStore
	svc   *auth.Service
	rec   *auth.Recovery
	queue *mail.Queue
	pit   *mailpittest.Server
	mu    sync.Mutex
	now   time.Time
}

func (e *recoveryEnv) Now() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
func (e *recoveryEnv) Add(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// MustLink drains the queue and returns the token of the newest link mailed to to.
func (e *recoveryEnv) MustLink(tb testing.TB, to string, n int) (token string, m *mailpittest.Message) {
	tb.Helper()
	if _, err := e.queue.Drain(context.Background()); err != nil {
		tb.Fatal(err)
	}
	msgs := e.pit.MustMessages(tb, to, n)
	got := regexp.MustCompile(`token=(pmt_[A-Za-z0-9_-]{43})`).FindStringSubmatch(msgs[0].Text)
	if got == nil {
		tb.Fatalf("no link in %q", msgs[0].Text)
	}
	return got[1], msgs[0]
}

func newRecoveryEnv(tb testing.TB, opts auth.RecoveryOptions) *recoveryEnv {
	pit := mailpittest.MustOpen(tb)
	db := postgrestest.MustOpenDB(tb)
	e := &recoveryEnv{pit: pit, now: time.Now()}
	e.store = postgres.NewAccountStore(db)
	e.svc = auth.NewService(e.store, auth.Options{Password: cheapParams})
	tpl, err := mail.NewTemplates()
	if err != nil {
		tb.Fatal(err)
	}
	smtp, err := mail.NewSMTP(pit.SMTPURL, "Parley <noreply@parley.example>")
	if err != nil {
		tb.Fatal(err)
	}
	// The queue sends at real time; only token lifetimes follow the test clock.
	e.queue = mail.NewQueue(postgres.NewMailStore(db), smtp, mail.QueueOptions{})
	opts.Render, opts.Now, opts.PublicURL = tpl.Render, e.Now, "https://comments.example/"
	e.rec = auth.NewRecovery(e.svc, postgres.NewRecoveryStore(db), opts)
	return e
}

func TestRecovery(t *testing.T) {
	e := newRecoveryEnv(t, auth.RecoveryOptions{})
	ctx := context.Background()

	t.Run("a reset link sets the password once and signs out everywhere", func(t *testing.T) {
		in := newSignUp()
		in.Email = mailpittest.Address(t)
		p := MustSignUp(t, e.svc, in)
		if err := e.rec.RequestPasswordReset(ctx, strings.ToUpper(in.Email), "de"); err != nil {
			t.Fatal(err)
		}
		token, m := e.MustLink(t, in.Email, 1)
		if m.Subject != "Passwort zurücksetzen" || !strings.Contains(m.Text, "https://comments.example/account/reset?token=") {
			t.Errorf("mail: %q %q", m.Subject, m.Text)
		}
		if err := e.rec.ResetPassword(ctx, token, "a brand new password"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(ctx, p.Token); parley.ErrorCode(err) != parley.EUNAUTHENTICATED {
			t.Errorf("old session: %v, want revoked", err)
		}
		if _, err := e.svc.SignIn(ctx, parley.SignInInput{Login: in.Email, Password: "a brand new password"}); err != nil {
			t.Errorf("sign in with the new password: %v", err)
		}
		err := e.rec.ResetPassword(ctx, token, "yet another password")
		wantError(t, err, parley.ENOTFOUND, "")
	})

	t.Run("an unknown address gets the same answer and no mail", func(t *testing.T) {
		to := mailpittest.Address(t)
		if err := e.rec.RequestPasswordReset(ctx, to, "en"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.queue.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := e.pit.Count(ctx, to); err != nil || n != 0 {
			t.Errorf("%d mails (%v), want none", n, err)
		}
	})

	t.Run("an account without a password gets the same answer and no mail", func(t *testing.T) {
		u := &parley.User{Username: "sso" + strings.ToLower(mailpittest.Address(t)[1:9]), Email: mailpittest.Address(t)}
		if err := e.store.CreateUser(ctx, u, ""); err != nil {
			t.Fatal(err)
		}
		if err := e.rec.RequestPasswordReset(ctx, u.Email, "en"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.queue.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := e.pit.Count(ctx, u.Email); err != nil || n != 0 {
			t.Errorf("%d mails (%v), want none", n, err)
		}
	})

	t.Run("a reset link expires after an hour", func(t *testing.T) {
		in := newSignUp()
		in.Email = mailpittest.Address(t)
		MustSignUp(t, e.svc, in)
		if err := e.rec.RequestPasswordReset(ctx, in.Email, "en"); err != nil {
			t.Fatal(err)
		}
		token, _ := e.MustLink(t, in.Email, 1)
		e.Add(parley.ResetTokenTTL + time.Second)
		wantError(t, e.rec.ResetPassword(ctx, token, "a brand new password"), parley.ENOTFOUND, "")
	})

	t.Run("bad tokens and passwords are refused with the field named", func(t *testing.T) {
		for _, tc := range []struct{ name, token, password, code, field string }{
			{"a guessed token", "pmt_" + strings.Repeat("A", 43), "a brand new password", parley.ENOTFOUND, ""},
			{"a damaged token", "pmt_short", "a brand new password", parley.EINVALID, "token"},
			{"a session token", "pst_" + strings.Repeat("A", 43), "a brand new password", parley.EINVALID, "token"},
			{"a short password", "pmt_" + strings.Repeat("A", 43), "short", parley.EINVALID, "password"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := e.rec.ResetPassword(ctx, tc.token, tc.password)
				wantError(t, err, tc.code, "")
				if perr, ok := err.(*parley.Error); ok && tc.field != "" && perr.Field != tc.field {
					t.Errorf("field = %q, want %q", perr.Field, tc.field)
				}
			})
		}
		wantError(t, e.rec.RequestPasswordReset(ctx, "not-an-address", "en"), parley.EINVALID, "")
		wantError(t, e.rec.RequestPasswordReset(ctx, strings.Repeat("a", 250)+"@example.org", "en"), parley.EINVALID, "")
	})

	t.Run("verification marks the address verified", func(t *testing.T) {
		in := newSignUp()
		in.Email = mailpittest.Address(t)
		p := MustSignUp(t, e.svc, in)
		uctx := parley.NewContextWithUser(ctx, p.User)
		if err := e.rec.SendVerification(uctx, "en"); err != nil {
			t.Fatal(err)
		}
		token, _ := e.MustLink(t, in.Email, 1)
		if err := e.rec.VerifyEmail(ctx, token); err != nil {
			t.Fatal(err)
		}
		if ok, err := e.rec.EmailVerified(ctx, p.User.ID); err != nil || !ok {
			t.Errorf("verified = %v, %v", ok, err)
		}
		wantError(t, e.rec.SendVerification(uctx, "en"), parley.ECONFLICT, "")
		wantError(t, e.rec.VerifyEmail(ctx, token), parley.ENOTFOUND, "")
	})

	t.Run("an email change needs both addresses to confirm", func(t *testing.T) {
		in := newSignUp()
		in.Email = mailpittest.Address(t)
		p := MustSignUp(t, e.svc, in)
		uctx := parley.NewContextWithUser(ctx, p.User)
		newAddr := mailpittest.Address(t)
		wantError(t, e.rec.ChangeEmail(uctx, newAddr, "wrong password!", "en"), parley.EINVALID, "Password is incorrect.")
		if err := e.rec.ChangeEmail(uctx, newAddr, in.Password, "en"); err != nil {
			t.Fatal(err)
		}
		newToken, _ := e.MustLink(t, newAddr, 1)
		oldToken, old := e.MustLink(t, in.Email, 1)
		if !strings.Contains(old.Text, newAddr) {
			t.Errorf("the old address is not told the new one: %q", old.Text)
		}
		if done, err := e.rec.ConfirmEmailChange(ctx, newToken); err != nil || done {
			t.Fatalf("first half: done %v, %v", done, err)
		}
		if done, err := e.rec.ConfirmEmailChange(ctx, oldToken); err != nil || !done {
			t.Fatalf("second half: done %v, %v", done, err)
		}
		if _, err := e.svc.SignIn(ctx, parley.SignInInput{Login: newAddr, Password: in.Password}); err != nil {
			t.Errorf("sign in with the new address: %v", err)
		}
		if ok, _ := e.rec.EmailVerified(ctx, p.User.ID); !ok {
			t.Error("the new address is not verified")
		}
	})
}

func TestRecoveryLimits(t *testing.T) {
	e := newRecoveryEnv(t, auth.RecoveryOptions{AddressLimiter: ratelimit.NewMemory(time.Hour, 2)})
	ctx := context.Background()
	in := newSignUp()
	in.Email = mailpittest.Address(t)
	MustSignUp(t, e.svc, in)
	t.Run("the third request to one address within the hour is refused", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			if err := e.rec.RequestPasswordReset(ctx, in.Email, "en"); err != nil {
				t.Fatal(err)
			}
		}
		wantError(t, e.rec.RequestPasswordReset(ctx, in.Email, "en"), parley.ERATELIMITED, "")
	})
	t.Run("an unknown address counts the same", func(t *testing.T) {
		to := mailpittest.Address(t)
		for i := 0; i < 2; i++ {
			if err := e.rec.RequestPasswordReset(ctx, to, "en"); err != nil {
				t.Fatal(err)
			}
		}
		wantError(t, e.rec.RequestPasswordReset(ctx, to, "en"), parley.ERATELIMITED, "")
	})
}

func TestRecoveryWithoutMail(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := auth.NewService(postgres.NewAccountStore(db), auth.Options{Password: cheapParams})
	rec := auth.NewRecovery(svc, postgres.NewRecoveryStore(db), auth.RecoveryOptions{})
	t.Run("asking for a reset says the server sends no mail", func(t *testing.T) {
		err := rec.RequestPasswordReset(context.Background(), "a@example.org", "en")
		wantError(t, err, parley.EFORBIDDEN, "")
		if !strings.Contains(parley.ErrorMessage(err), "PARLEY_SMTP_URL") {
			t.Errorf("message %q does not say why", parley.ErrorMessage(err))
		}
	})
}

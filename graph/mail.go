package graph

import (
	"context"

	"github.com/parleyhq/parley"
)

// recovery is the recovery service, or one that answers that this server sends no email.
func (r *Resolver) recovery() parley.RecoveryService {
	if r.s.Recovery == nil {
		return noMail{}
	}
	return r.s.Recovery
}

// ok answers true for a mutation whose only result is that it worked.
func ok(err error) (bool, error) { return err == nil, err }

// language is the reader's chosen language, else the request's Accept-Language.
func language(ctx context.Context, chosen *string) string {
	if chosen != nil && *chosen != "" {
		return *chosen
	}
	return parley.ClientFromContext(ctx).Language
}

// noMail is the recovery service of a server without mail.
type noMail struct{}

func errNoMail() error {
	return parley.Errorf(parley.EFORBIDDEN, "This server sends no email (its operator has not set PARLEY_SMTP_URL), so this is not available.")
}

func (noMail) RequestPasswordReset(context.Context, string, string) error { return errNoMail() }
func (noMail) ResetPassword(context.Context, string, string) error        { return errNoMail() }
func (noMail) VerifyEmail(context.Context, string) error                  { return errNoMail() }
func (noMail) SendVerification(context.Context, string) error             { return errNoMail() }
func (noMail) ChangeEmail(context.Context, string, string, string) error  { return errNoMail() }
func (noMail) ConfirmEmailChange(context.Context, string) (bool, error)   { return false, errNoMail() }
func (noMail) EmailVerified(context.Context, string) (bool, error)        { return false, nil }

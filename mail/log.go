package mail

import (
	"context"
	"log/slog"

	"github.com/parleyhq/parley"
)

// LogSender "sends" mail by logging it, links and all, for development without a mail
// server: `make run` shows in its log the links it would have sent.
type LogSender struct{ Logger *slog.Logger }

// Send implements Sender.
func (s LogSender) Send(_ context.Context, m *parley.Mail) error {
	s.Logger.Info("mail not sent (PARLEY_SMTP_URL is unset); its text follows", "to", m.To, "subject", m.Subject, "text", m.Text)
	return nil
}

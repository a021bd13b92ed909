package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/auth"
	"github.com/parleyhq/parley/mail"
	"github.com/parleyhq/parley/nats"
	"github.com/parleyhq/parley/notify"
	"github.com/parleyhq/parley/postgres"
)

// mailer is the mail queue of this replica with its templates, or nil parts when mail is
// off: features that need mail then answer that the server sends none.
type mailer struct {
	queue     *mail.Queue
	templates *mail.Templates
	// logged is true when mail is written to the log instead of sent (development without
	// PARLEY_SMTP_URL), so `make run` shows the links it would have sent.
	logged bool
}

// newMailer builds the sender PARLEY_SMTP_URL names. Without one, development logs every
// mail and production sends none.
func newMailer(cfg *Config, logger *slog.Logger, db *postgres.DB) (*mailer, error) {
	templates, err := mail.NewTemplates()
	if err != nil {
		return nil, err
	}
	var sender mail.Sender
	m := &mailer{templates: templates}
	switch {
	case cfg.SMTPURL != "":
		if sender, err = mail.NewSMTP(cfg.SMTPURL, cfg.MailFrom); err != nil {
			return nil, err
		}
	case !cfg.Production():
		sender, m.logged = mail.LogSender{Logger: logger}, true
		logger.Warn("PARLEY_SMTP_URL is unset: mail is written to this log instead of sent")
	default:
		logger.Warn("PARLEY_SMTP_URL is unset: Parley sends no mail, so email verification, password reset and email notifications are off")
		return m, nil
	}
	m.queue = mail.NewQueue(postgres.NewMailStore(db), sender, mail.QueueOptions{Logger: logger})
	return m, nil
}

// run drains the queue until ctx ends; every replica runs it.
func (m *mailer) run(ctx context.Context, workers int) {
	if m.queue != nil {
		go m.queue.Run(ctx, 5*time.Second, workers)
	}
}

// wire gives the services what needs mail: verification, reset and change of address, and
// a verification mail after every sign-up. Without mail they answer that none is sent.
func (m *mailer) wire(cfg *Config, logger *slog.Logger, db *postgres.DB, lim *limits, svc *services) {
	if m.queue == nil {
		return
	}
	rec := auth.NewRecovery(svc.auth, postgres.NewRecoveryStore(db), auth.RecoveryOptions{
		Logger:         logger,
		Render:         m.templates.Render,
		Wake:           m.queue.Wake,
		PublicURL:      cfg.PublicURL,
		ClientLimiter:  lim.mailClient,
		AddressLimiter: lim.mailAddress,
	})
	svc.graph.Recovery = rec
	svc.graph.Auth = rec.VerifySignUps(svc.graph.Auth)
}

// wireNotifications keeps readers' notifications from the event stream (a durable consumer:
// one replica handles each event, and a second delivery adds nothing) and serves the bell.
func (m *mailer) wireNotifications(ctx context.Context, cfg *Config, logger *slog.Logger, db *postgres.DB, events *bus, svc *services) error {
	key, err := db.InstanceKey(ctx, "unsubscribe")
	if err != nil {
		return err
	}
	unsub := notify.NewUnsubscribe(key)
	store := postgres.NewNotificationStore(db)
	feed := nats.NewInboxFeed(events.liveConn, cfg.Instance, logger)
	opts := notify.Options{Logger: logger, Added: func(n *parley.InboxNotification) {
		if err := feed.PublishInbox(n); err != nil {
			logger.Warn("live notification not sent; the bell still has it", "err", err)
		}
	}}
	if m.queue != nil {
		opts.Mailer = notify.Mailer(m.templates.Render, cfg.PublicURL, unsub)
		opts.Added = func(n *parley.InboxNotification) {
			if err := feed.PublishInbox(n); err != nil {
				logger.Warn("live notification not sent; the bell still has it", "err", err)
			}
			m.queue.Wake()
		}
		// Every replica runs the digest job; the store hands each reader to one of them.
		digest := notify.NewDigest(store, notify.DigestMailer(m.templates.Render, cfg.PublicURL, unsub), notify.DigestOptions{Logger: logger, Wake: m.queue.Wake})
		go digest.Run(ctx, time.Minute)
	}
	// Most events notify no one: taken in runs, they cost an acknowledgement a run, not one each.
	events.consumeBatch("notify", notifyBatch, notify.NewConsumer(store, opts).HandleBatch)
	service := notify.NewService(store, unsub, m.queue != nil)
	service.Feed = feed
	svc.graph.Notifications = service
	return nil
}

// notifyBatch is the most events the notification consumer takes in one run.
const notifyBatch = 100

package mail_test

import (
	"sync"
	"testing"

	"github.com/parleyhq/parley/mail"
	"github.com/parleyhq/parley/mail/mailpittest"
	"github.com/parleyhq/parley/postgres"
)

// BenchmarkQueueToMailpit measures the queue's throughput into a real SMTP server: b.N mails
// are queued, then four senders (as one replica runs them) drain the queue. It reports
// messages per second.
func BenchmarkQueueToMailpit(b *testing.B) {
	pit := mailpittest.MustOpen(b)
	store := postgres.NewMailStore(db)
	q := mail.NewQueue(store, MustSMTP(b, pit.SMTPURL), mail.QueueOptions{})
	for range b.N {
		MustEnqueue(b, q, mailpittest.Address(b))
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); MustDrain(b, q) }()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// Package mailpittest gives tests a real SMTP server, mailpit, and reads back what it
// received through mailpit's HTTP API. scripts/dev-mailpit.sh builds and starts it; the
// Makefile passes its URLs in PARLEY_TEST_MAILPIT ("SMTP_URL HTTP_URL").
package mailpittest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Server is one running mailpit.
type Server struct {
	// SMTPURL is what PARLEY_SMTP_URL would be set to.
	SMTPURL string
	// APIURL is mailpit's HTTP address.
	APIURL string
}

// Open finds the mailpit of PARLEY_TEST_MAILPIT, or runs scripts/dev-mailpit.sh, which
// builds mailpit into ./bin and starts it when needed.
func Open(ctx context.Context) (*Server, error) {
	urls := os.Getenv("PARLEY_TEST_MAILPIT")
	if urls == "" {
		root, err := moduleRoot()
		if err != nil {
			return nil, err
		}
		cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "dev-mailpit.sh"))
		cmd.Dir = root
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("scripts/dev-mailpit.sh: %w", err)
		}
		urls = strings.TrimSpace(string(out))
	}
	smtpURL, apiURL, ok := strings.Cut(urls, " ")
	if !ok {
		return nil, fmt.Errorf("PARLEY_TEST_MAILPIT must be \"SMTP_URL HTTP_URL\", not %q", urls)
	}
	s := &Server{SMTPURL: smtpURL, APIURL: apiURL}
	if err := s.get(ctx, "/api/v1/info", nil); err != nil {
		return nil, fmt.Errorf("mailpit at %s: %w", apiURL, err)
	}
	return s, nil
}

// MustOpen is Open for one test: a mailpit that cannot start fails the test when CI is set
// and skips it otherwise.
func MustOpen(tb testing.TB) *Server {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s, err := Open(ctx)
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("mailpit is required (CI is set): %v", err)
		}
		tb.Skipf("mailpit unavailable: %v", err)
	}
	return s
}

// Address returns a recipient no other test uses, so tests sharing a mailpit keep apart.
func Address(tb testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "t" + hex.EncodeToString(b[:]) + "@example.org"
}

// Message is what mailpit shows of one received message.
type Message struct {
	ID      string
	Subject string
	Text    string
	HTML    string
	From    struct{ Address string }
	To      []struct{ Address string }
	// Headers are every header field, read separately.
	Headers map[string][]string
}

// Messages returns the messages received for to, newest first, with bodies and headers.
func (s *Server) Messages(ctx context.Context, to string) ([]*Message, error) {
	var list struct {
		Messages []struct{ ID string }
	}
	if err := s.get(ctx, "/api/v1/search?limit=1000&query="+url.QueryEscape(`to:"`+to+`"`), &list); err != nil {
		return nil, err
	}
	msgs := make([]*Message, 0, len(list.Messages))
	for _, l := range list.Messages {
		var m Message
		if err := s.get(ctx, "/api/v1/message/"+l.ID, &m); err != nil {
			return nil, err
		}
		if err := s.get(ctx, "/api/v1/message/"+l.ID+"/headers", &m.Headers); err != nil {
			return nil, err
		}
		msgs = append(msgs, &m)
	}
	return msgs, nil
}

// Count answers how many messages mailpit holds for to, without reading them.
func (s *Server) Count(ctx context.Context, to string) (int, error) {
	var list struct {
		MessagesCount int `json:"messages_count"`
	}
	err := s.get(ctx, "/api/v1/search?limit=1&query="+url.QueryEscape(`to:"`+to+`"`), &list)
	return list.MessagesCount, err
}

// MustMessages returns to's messages once there are want of them. Mailpit stores a message
// before it answers DATA, so a sender that has returned has been stored; the short wait
// only covers its search index catching up.
func (s *Server) MustMessages(tb testing.TB, to string, want int) []*Message {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		msgs, err := s.Messages(ctx, to)
		if err != nil {
			tb.Fatalf("mailpit messages for %s: %v", to, err)
		}
		if len(msgs) >= want {
			return msgs
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("mailpit has %d messages for %s, want %d", len(msgs), to, want)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *Server) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.APIURL+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	if v == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

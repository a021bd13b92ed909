// Package plugin runs moderation stages outside Parley: a plug-in written in any language
// receives a signed JSON description of a comment and answers a signed verdict, over HTTP or
// NATS request/reply. Both directions are signed with HMAC-SHA256 over a timestamp and the
// body, with a secret per plug-in, so neither side can be fooled by a third party.
package plugin

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// Header names of a signed message.
const (
	HeaderTimestamp = "Parley-Timestamp"
	HeaderSignature = "Parley-Signature"
)

// MaxClockSkew is how far a signed message's timestamp may be from now.
const MaxClockSkew = 5 * time.Minute

// Request is what a plug-in receives. Its shape follows the external moderation phases of
// comment platforms (Coral's in particular), so existing moderation services adapt easily.
type Request struct {
	Action  parley.SubmissionAction `json:"action"`
	Comment RequestComment          `json:"comment"`
	Author  RequestAuthor           `json:"author"`
	Story   RequestStory            `json:"story"`
	SiteID  string                  `json:"siteID"`
}

// RequestComment is the comment being judged.
type RequestComment struct {
	ID         string    `json:"id"`
	Body       string    `json:"body"`
	BodySource string    `json:"bodySource"`
	ParentID   string    `json:"parentID,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	// PreviousBodySource is the text before an edit.
	PreviousBodySource string `json:"previousBodySource,omitempty"`
}

// RequestAuthor is the comment's author and their standing on the site.
type RequestAuthor struct {
	ID        string      `json:"id"`
	Username  string      `json:"username"`
	Role      parley.Role `json:"role"`
	Published int         `json:"publishedComments"`
	Rejected  int         `json:"rejectedComments"`
	CreatedAt time.Time   `json:"createdAt"`
}

// RequestStory is where the comment goes.
type RequestStory struct {
	ID    string `json:"id"`
	URL   string `json:"url"`
	Title string `json:"title"`
}

// NewRequest describes a submission for a plug-in.
func NewRequest(s *parley.Submission) Request {
	r := Request{Action: s.Action, SiteID: s.Comment.SiteID,
		Comment: RequestComment{ID: s.Comment.ID, Body: s.Comment.Body, BodySource: s.Comment.BodySource,
			ParentID: s.Comment.ParentID, CreatedAt: s.Comment.CreatedAt},
	}
	if s.Previous != nil {
		r.Comment.PreviousBodySource = s.Previous.BodySource
	}
	if s.Author != nil {
		r.Author = RequestAuthor{ID: s.Author.ID, Username: s.Author.Username, Role: s.Role,
			Published: s.History.Published, Rejected: s.History.Rejected, CreatedAt: s.Author.CreatedAt}
	}
	if s.Story != nil {
		r.Story = RequestStory{ID: s.Story.ID, URL: s.Story.URL, Title: s.Story.Title}
	}
	return r
}

// Response is what a plug-in answers.
type Response struct {
	Decision parley.Decision `json:"decision"`
	Flags    []string        `json:"flags"`
	Tags     []string        `json:"tags"`
	Score    float64         `json:"score"`
	Evidence string          `json:"evidence"`
	Version  string          `json:"version"`
}

// Bounds on what a plug-in may answer.
const (
	MaxResponseBytes = 64 << 10
	maxFlags         = 20
	maxFlagLength    = 64
	maxEvidence      = 1000
)

// ParseResponse reads a plug-in's answer strictly: unknown fields, an unknown decision,
// malformed flags or oversized text are errors, which the stage's failure policy handles.
func ParseResponse(body []byte) (parley.Verdict, error) {
	if len(body) > MaxResponseBytes {
		return parley.Verdict{}, fmt.Errorf("response is larger than %d bytes", MaxResponseBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var r Response
	if err := dec.Decode(&r); err != nil {
		return parley.Verdict{}, fmt.Errorf("response is not the expected JSON: %w", err)
	}
	if dec.More() {
		return parley.Verdict{}, errors.New("response has data after its JSON object")
	}
	switch r.Decision {
	case parley.DecisionPass, parley.DecisionApprove, parley.DecisionHold, parley.DecisionReject:
	default:
		return parley.Verdict{}, fmt.Errorf("unknown decision %q", r.Decision)
	}
	flags := append(make([]string, 0, len(r.Flags)+len(r.Tags)), r.Flags...)
	for _, t := range r.Tags {
		flags = append(flags, "TAG:"+t)
	}
	if len(flags) > maxFlags {
		return parley.Verdict{}, fmt.Errorf("response has %d flags and tags; at most %d", len(flags), maxFlags)
	}
	for _, f := range flags {
		if !validFlag(f) {
			return parley.Verdict{}, fmt.Errorf("flag %q must be 1 to %d letters, digits, '_', '-' or ':'", f, maxFlagLength)
		}
	}
	if !utf8.ValidString(r.Evidence) || utf8.RuneCountInString(r.Evidence) > maxEvidence ||
		!utf8.ValidString(r.Version) || len(r.Version) > 100 {
		return parley.Verdict{}, errors.New("evidence or version is too long or not text")
	}
	if r.Score != r.Score || r.Score < -1e9 || r.Score > 1e9 { // NaN or absurd
		return parley.Verdict{}, errors.New("score is not a sane number")
	}
	if len(flags) == 0 {
		flags = nil
	}
	return parley.Verdict{Decision: r.Decision, Flags: flags, Score: r.Score, Evidence: r.Evidence, Version: r.Version}, nil
}

func validFlag(f string) bool {
	if f == "" || len(f) > maxFlagLength {
		return false
	}
	for _, c := range f {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == ':') {
			return false
		}
	}
	return true
}

// Sign returns the signature of a body sent at a time: "v1=" and the hex HMAC-SHA256 of
// "<unix seconds>.<body>".
func Sign(secret []byte, timestamp time.Time, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(strconv.FormatInt(timestamp.Unix(), 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a signed message's timestamp and signature headers against its body.
func Verify(secret []byte, now time.Time, timestamp, signature string, body []byte) error {
	if timestamp == "" || signature == "" {
		return errors.New("the message is not signed")
	}
	unix, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return errors.New("the message's timestamp is not a number of seconds")
	}
	t := time.Unix(unix, 0)
	if d := now.Sub(t); d > MaxClockSkew || d < -MaxClockSkew {
		return fmt.Errorf("the message's timestamp is %s off", d.Round(time.Second))
	}
	want := Sign(secret, t, body)
	// Several signatures may be sent during a secret rotation, separated by commas.
	for _, sig := range strings.Split(signature, ",") {
		if hmac.Equal([]byte(strings.TrimSpace(sig)), []byte(want)) {
			return nil
		}
	}
	return errors.New("the message's signature does not match")
}

// Transport sends a signed request to a plug-in and returns its signed reply.
type Transport interface {
	RoundTrip(ctx context.Context, body []byte, header map[string]string) (reply []byte, replyHeader map[string]string, err error)
}

// Stage is a plug-in as a pipeline stage, named "plugin:<name>".
type Stage struct {
	name      string
	secret    []byte
	transport Transport
	now       func() time.Time
}

// NewStage returns a stage that asks a plug-in through transport.
func NewStage(name string, secret []byte, transport Transport) *Stage {
	return &Stage{name: "plugin:" + name, secret: secret, transport: transport, now: time.Now}
}

// Name implements moderation.Stage.
func (s *Stage) Name() string { return s.name }

// Check asks the plug-in. Any failure (transport, status, signature, parse) is an error, so
// the step's failure policy decides and the trail records why.
func (s *Stage) Check(ctx context.Context, sub *parley.Submission) (parley.Verdict, error) {
	body, err := json.Marshal(NewRequest(sub))
	if err != nil {
		return parley.Verdict{}, err
	}
	now := s.now()
	reply, header, err := s.transport.RoundTrip(ctx, body, map[string]string{
		HeaderTimestamp: strconv.FormatInt(now.Unix(), 10),
		HeaderSignature: Sign(s.secret, now, body),
		"Content-Type":  "application/json",
	})
	if err != nil {
		return parley.Verdict{}, err
	}
	if err := Verify(s.secret, s.now(), header[HeaderTimestamp], header[HeaderSignature], reply); err != nil {
		return parley.Verdict{}, fmt.Errorf("reply refused: %w", err)
	}
	return ParseResponse(reply)
}

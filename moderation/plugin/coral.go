package plugin

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/parleyhq/parley"
)

// HeaderCoralSignature carries the request's signature in Coral's format:
// "sha256=<hex HMAC-SHA256 of the body with the secret>".
const HeaderCoralSignature = "X-Coral-Signature"

// CoralRequest is the body Coral's external moderation phase posts, which a Coral-compatible
// moderation service expects unchanged.
type CoralRequest struct {
	Tenant  CoralTenant  `json:"tenant"`
	Action  string       `json:"action"` // NEW or EDIT
	Comment CoralComment `json:"comment"`
	Author  CoralAuthor  `json:"author"`
	Story   CoralStory   `json:"story"`
	Site    CoralSite    `json:"site"`
}

// CoralTenant is Coral's installation; Parley sends the site as the tenant.
type CoralTenant struct {
	ID     string `json:"id"`
	Domain string `json:"domain"`
}

// CoralComment is the comment being judged.
type CoralComment struct {
	Body     string  `json:"body"`
	ParentID *string `json:"parentID"`
}

// CoralAuthor is the comment's author, with Coral's role names.
type CoralAuthor struct {
	ID   string `json:"id"`
	Role string `json:"role"`
}

// CoralStory is where the comment goes.
type CoralStory struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// CoralSite is the comment's site.
type CoralSite struct {
	ID string `json:"id"`
}

// CoralResponse is what a Coral moderation service answers; Parley ignores a rewritten body
// and metadata (a plug-in judges, it does not edit).
type CoralResponse struct {
	Status  string `json:"status"`
	Actions []struct {
		ActionType        string `json:"actionType"`
		Reason            string `json:"reason"`
		AdditionalDetails string `json:"additionalDetails"`
	} `json:"actions"`
	Tags []string `json:"tags"`
}

// coralRoles maps Parley's roles to Coral's.
var coralRoles = map[parley.Role]string{
	parley.RoleModerator: "MODERATOR",
	parley.RoleAdmin:     "ADMIN",
}

// NewCoralRequest describes a submission as Coral's external moderation phase would.
func NewCoralRequest(s *parley.Submission) CoralRequest {
	r := CoralRequest{Action: "NEW", Comment: CoralComment{Body: s.Comment.Body},
		Site: CoralSite{ID: s.Comment.SiteID}, Tenant: CoralTenant{ID: s.Comment.SiteID}}
	if s.Action == parley.ActionEdit {
		r.Action = "EDIT"
	}
	if s.Comment.ParentID != "" {
		p := s.Comment.ParentID
		r.Comment.ParentID = &p
	}
	if s.Author != nil {
		role, ok := coralRoles[s.Role]
		if !ok {
			role = "COMMENTER"
		}
		r.Author = CoralAuthor{ID: s.Author.ID, Role: role}
	}
	if s.Story != nil {
		r.Story = CoralStory{ID: s.Story.ID, URL: s.Story.URL}
		if u, err := url.Parse(s.Story.URL); err == nil {
			r.Tenant.Domain = u.Hostname()
		}
	}
	return r
}

// ParseCoralResponse turns a Coral answer into a verdict: status APPROVED approves, REJECTED
// rejects, PREMOD and SYSTEM_WITHHELD hold, none (or NONE) passes; each FLAG action's reason
// and each tag ("TAG:<tag>") become flags. An empty answer passes, as in Coral.
func ParseCoralResponse(body []byte) (parley.Verdict, error) {
	if len(body) > MaxResponseBytes {
		return parley.Verdict{}, fmt.Errorf("response is larger than %d bytes", MaxResponseBytes)
	}
	if s := strings.TrimSpace(string(body)); s == "" || s == "{}" {
		return parley.Verdict{Decision: parley.DecisionPass}, nil
	}
	var r CoralResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return parley.Verdict{}, fmt.Errorf("response is not Coral's JSON: %w", err)
	}
	v := parley.Verdict{}
	switch r.Status {
	case "", "NONE":
		v.Decision = parley.DecisionPass
	case "APPROVED":
		v.Decision = parley.DecisionApprove
	case "REJECTED":
		v.Decision = parley.DecisionReject
	case "PREMOD", "SYSTEM_WITHHELD":
		v.Decision = parley.DecisionHold
	default:
		return parley.Verdict{}, fmt.Errorf("unknown Coral status %q", r.Status)
	}
	var evidence []string
	for _, a := range r.Actions {
		if a.ActionType != "FLAG" || !validFlag(a.Reason) {
			return parley.Verdict{}, fmt.Errorf("unknown Coral action %q (%q)", a.ActionType, a.Reason)
		}
		v.Flags = append(v.Flags, a.Reason)
		if a.AdditionalDetails != "" {
			evidence = append(evidence, a.AdditionalDetails)
		}
	}
	for _, t := range r.Tags {
		if !validFlag(t) {
			return parley.Verdict{}, fmt.Errorf("malformed Coral tag %q", t)
		}
		v.Flags = append(v.Flags, "TAG:"+t)
	}
	if len(v.Flags) > maxFlags {
		return parley.Verdict{}, fmt.Errorf("more than %d flags and tags", maxFlags)
	}
	v.Evidence = strings.Join(evidence, "; ")
	if len(v.Evidence) > maxEvidence {
		v.Evidence = v.Evidence[:maxEvidence]
	}
	return v, nil
}

// CoralStage is an HTTP plug-in that speaks Coral's external moderation format, so that a
// moderation service written for Coral can be pointed at Parley unchanged. Coral signs
// requests only, so the reply is not verified: use it over a network you trust, or HTTPS.
type CoralStage struct {
	name   string
	secret []byte
	url    string
	client *http.Client
}

// NewCoralStage returns the stage "plugin:<name>" that posts to url with client.
func NewCoralStage(name string, secret []byte, url string, client *http.Client) *CoralStage {
	if client == nil {
		client = http.DefaultClient
	}
	return &CoralStage{name: "plugin:" + name, secret: secret, url: url, client: client}
}

// Name implements moderation.Stage.
func (s *CoralStage) Name() string { return s.name }

// CoralSign returns the X-Coral-Signature of body.
func CoralSign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Check asks the service. 204 or an empty answer passes (as in Coral); any other status but
// 200, a malformed answer or a transport failure is an error for the step's failure policy.
func (s *CoralStage) Check(ctx context.Context, sub *parley.Submission) (parley.Verdict, error) {
	body, err := json.Marshal(NewCoralRequest(sub))
	if err != nil {
		return parley.Verdict{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return parley.Verdict{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderCoralSignature, CoralSign(s.secret, body))
	res, err := s.client.Do(req)
	if err != nil {
		return parley.Verdict{}, err
	}
	defer res.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(res.Body, MaxResponseBytes+1))
	if err != nil {
		return parley.Verdict{}, err
	}
	switch res.StatusCode {
	case http.StatusNoContent:
		return parley.Verdict{Decision: parley.DecisionPass}, nil
	case http.StatusOK:
		return ParseCoralResponse(reply)
	default:
		return parley.Verdict{}, fmt.Errorf("plug-in answered %s", res.Status)
	}
}

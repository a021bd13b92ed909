package plugin_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation/plugin"
)

// coralService is a moderation service as Coral's external moderation phase expects one:
// it checks X-Coral-Signature (any of its comma-separated "sha256=" values) over the raw
// body, reads Coral's request and answers with Coral's response.
func coralService(t *testing.T, secret string, answer func(plugin.CoralRequest) (int, string)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !slices.Contains(strings.Split(r.Header.Get("X-Coral-Signature"), ","), plugin.CoralSign([]byte(secret), body)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var req plugin.CoralRequest
		if err := json.Unmarshal(body, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		status, reply := answer(req)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func coralSubmission() *parley.Submission {
	return &parley.Submission{Action: parley.ActionCreate, Role: parley.RoleModerator,
		Comment: &parley.Comment{ID: "c1", SiteID: "s1", ParentID: "p1", Body: "<p>hello</p>"},
		Story:   &parley.Story{ID: "st1", URL: "https://news.example/a"},
		Author:  &parley.User{ID: "u1", Username: "ann"}}
}

func TestCoralStage(t *testing.T) {
	const secret = "a secret of sixteen bytes"
	for name, tc := range map[string]struct {
		status int
		reply  string
		want   parley.Verdict
	}{
		"rejected with a flag and a tag": {200, `{"status":"REJECTED","actions":[{"actionType":"FLAG","reason":"COMMENT_DETECTED_TOXIC","additionalDetails":"toxic 0.9"}],"tags":["STAFF"],"metadata":{"x":1}}`,
			parley.Verdict{Decision: parley.DecisionReject, Flags: []string{"COMMENT_DETECTED_TOXIC", "TAG:STAFF"}, Evidence: "toxic 0.9"}},
		"approved":               {200, `{"status":"APPROVED"}`, parley.Verdict{Decision: parley.DecisionApprove}},
		"premod holds":           {200, `{"status":"PREMOD"}`, parley.Verdict{Decision: parley.DecisionHold}},
		"system withheld holds":  {200, `{"status":"SYSTEM_WITHHELD"}`, parley.Verdict{Decision: parley.DecisionHold}},
		"an empty object passes": {200, `{}`, parley.Verdict{Decision: parley.DecisionPass}},
		"no content passes":      {204, ``, parley.Verdict{Decision: parley.DecisionPass}},
		"flags alone pass, flagged": {200, `{"actions":[{"actionType":"FLAG","reason":"COMMENT_DETECTED_SPAM"}]}`,
			parley.Verdict{Decision: parley.DecisionPass, Flags: []string{"COMMENT_DETECTED_SPAM"}}},
	} {
		t.Run(name, func(t *testing.T) {
			var got plugin.CoralRequest
			srv := coralService(t, secret, func(r plugin.CoralRequest) (int, string) { got = r; return tc.status, tc.reply })
			v, err := plugin.NewCoralStage("coral", []byte(secret), srv.URL, nil).Check(context.Background(), coralSubmission())
			if err != nil {
				t.Fatal(err)
			}
			if v.Decision != tc.want.Decision || !slices.Equal(v.Flags, tc.want.Flags) || v.Evidence != tc.want.Evidence {
				t.Errorf("verdict = %+v, want %+v", v, tc.want)
			}
			if got.Action != "NEW" || got.Comment.Body != "<p>hello</p>" || got.Comment.ParentID == nil || *got.Comment.ParentID != "p1" ||
				got.Author.Role != "MODERATOR" || got.Story.URL != "https://news.example/a" || got.Site.ID != "s1" || got.Tenant.Domain != "news.example" {
				t.Errorf("request = %+v", got)
			}
		})
	}
	for name, tc := range map[string]struct {
		status int
		reply  string
	}{
		"an unknown status is an error": {200, `{"status":"MAYBE"}`},
		"an unknown action is an error": {200, `{"actions":[{"actionType":"DONT_AGREE","reason":"X"}]}`},
		"not JSON is an error":          {200, `<html>`},
		"a server error is an error":    {500, `oops`},
	} {
		t.Run(name, func(t *testing.T) {
			srv := coralService(t, secret, func(plugin.CoralRequest) (int, string) { return tc.status, tc.reply })
			if v, err := plugin.NewCoralStage("coral", []byte(secret), srv.URL, nil).Check(context.Background(), coralSubmission()); err == nil {
				t.Fatalf("no error; verdict %+v", v)
			}
		})
	}
	t.Run("a wrong secret is refused by the service", func(t *testing.T) {
		srv := coralService(t, secret, func(plugin.CoralRequest) (int, string) { return 200, `{"status":"APPROVED"}` })
		if _, err := plugin.NewCoralStage("coral", []byte("another secret, 16+"), srv.URL, nil).Check(context.Background(), coralSubmission()); err == nil {
			t.Fatal("no error")
		}
	})
}

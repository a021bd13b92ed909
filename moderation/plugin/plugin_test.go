package plugin_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/moderation/plugin"
)

var secret = []byte("a plug-in secret of decent length")

func submission(body string) *parley.Submission {
	return &parley.Submission{Action: parley.ActionCreate,
		Comment: &parley.Comment{ID: "0190a0a0-0000-7000-8000-000000000001", SiteID: "s", BodySource: body, Body: "<p>" + body + "</p>"},
		Author:  &parley.User{ID: "u", Username: "ann"}, Role: parley.RoleCommenter}
}

// holdQuestions is a plug-in that holds comments with a question mark.
func holdQuestions(_ context.Context, r plugin.Request) (plugin.Response, error) {
	if strings.Contains(r.Comment.BodySource, "?") {
		return plugin.Response{Decision: parley.DecisionHold, Flags: []string{"QUESTION"}, Tags: []string{"curious"}, Score: 0.7, Evidence: "asks something", Version: "q-1"}, nil
	}
	return plugin.Response{Decision: parley.DecisionPass}, nil
}

// run moderates one submission with the plug-in behind handler as a step.
func run(t *testing.T, handler http.Handler, body string, failClosed bool) *parley.Moderation {
	t.Helper()
	srv := httptest.NewServer(handler)
	defer srv.Close()
	stage := plugin.NewStage("questions", secret, plugin.HTTP{URL: srv.URL})
	m, err := moderation.NewPipeline(moderation.Step{Stage: stage, Budget: 300 * time.Millisecond, FailClosed: failClosed}).
		Moderate(context.Background(), submission(body))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestHTTPPlugin(t *testing.T) {
	t.Run("a signed verdict decides, with flags and tags", func(t *testing.T) {
		m := run(t, plugin.NewHandler(secret, holdQuestions), "why?", false)
		v := m.Trail[0].Verdict
		if m.Decision != parley.DecisionHold || m.DecidedBy != "plugin:questions" || v.Flags[1] != "TAG:curious" || v.Version != "q-1" {
			t.Fatalf("moderation = %+v", m)
		}
	})
	failures := map[string]http.Handler{
		"a plug-in with another secret": plugin.NewHandler([]byte("some other secret entirely"), holdQuestions),
		"an error status": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}),
		"garbage":             signed(func() []byte { return []byte("<html>not json</html>") }),
		"an unknown decision": signed(func() []byte { return []byte(`{"decision":"MAYBE"}`) }),
		"an unsigned reply": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"decision":"APPROVE"}`))
		}),
		"a forged reply": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set(plugin.HeaderTimestamp, strconv.FormatInt(time.Now().Unix(), 10))
			w.Header().Set(plugin.HeaderSignature, plugin.Sign([]byte("not the secret"), time.Now(), []byte(`{"decision":"APPROVE"}`)))
			_, _ = w.Write([]byte(`{"decision":"APPROVE"}`))
		}),
		"a stale reply": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			old := time.Now().Add(-time.Hour)
			w.Header().Set(plugin.HeaderTimestamp, strconv.FormatInt(old.Unix(), 10))
			w.Header().Set(plugin.HeaderSignature, plugin.Sign(secret, old, []byte(`{"decision":"APPROVE"}`)))
			_, _ = w.Write([]byte(`{"decision":"APPROVE"}`))
		}),
		"a plug-in too slow": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // so the server notices the client hang up
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}),
	}
	for name, h := range failures {
		t.Run(name+" passes when failing open", func(t *testing.T) {
			m := run(t, h, "why?", false)
			if m.Decision != parley.DecisionPass || m.Trail[0].Error == "" {
				t.Fatalf("moderation = %+v", m)
			}
		})
		t.Run(name+" holds when failing closed", func(t *testing.T) {
			m := run(t, h, "fine.", true)
			if m.Decision != parley.DecisionHold || m.Trail[0].Error == "" || m.Trail[0].Verdict.Flags[0] != moderation.FlagStageFailed {
				t.Fatalf("moderation = %+v", m)
			}
		})
	}
}

// signed answers a fixed body, correctly signed.
func signed(body func() []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, now := body(), time.Now()
		w.Header().Set(plugin.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
		w.Header().Set(plugin.HeaderSignature, plugin.Sign(secret, now, b))
		_, _ = w.Write(b)
	})
}

func TestVerify(t *testing.T) {
	now := time.Now()
	body := []byte(`{"x":1}`)
	ts := strconv.FormatInt(now.Unix(), 10)
	good := plugin.Sign(secret, now, body)
	if err := plugin.Verify(secret, now, ts, "v1=dead,"+good, body); err != nil {
		t.Fatalf("a rotated signature list was refused: %v", err)
	}
	for name, tc := range map[string]struct{ ts, sig string }{
		"no signature":   {ts, ""},
		"bad timestamp":  {"yesterday", good},
		"changed body":   {ts, plugin.Sign(secret, now, []byte(`{"x":2}`))},
		"future message": {strconv.FormatInt(now.Add(time.Hour).Unix(), 10), good},
	} {
		if err := plugin.Verify(secret, now, tc.ts, tc.sig, body); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzParseResponse checks that any reply is either a sane verdict or an error.
func FuzzParseResponse(f *testing.F) {
	f.Add([]byte(`{"decision":"HOLD","flags":["X"],"tags":["t"],"score":0.5,"evidence":"e","version":"1"}`))
	f.Add([]byte(`{"decision":"APPROVE"}`))
	f.Add([]byte(`{"decision":"REJECT","flags":["a b"]}`))
	f.Add([]byte(`{"decision":"PASS","unknown":1}`))
	f.Add([]byte(`{"decision":"PASS"} {}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := plugin.ParseResponse(b)
		if err != nil {
			return
		}
		switch v.Decision {
		case parley.DecisionPass, parley.DecisionApprove, parley.DecisionHold, parley.DecisionReject:
		default:
			t.Fatalf("accepted decision %q", v.Decision)
		}
		if len(v.Flags) > 20 || len(v.Evidence) > 4000 {
			t.Fatalf("accepted oversized verdict %+v", v)
		}
	})
}

package server

import (
	"bytes"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/parleyhq/parley"
)

// LogMaxAge is how long browsers and proxies may keep a page of the public moderation log.
// The log is public and the same for every reader, so a short shared cache takes the load of
// a popular link off the database while new entries still show within a minute.
const LogMaxAge = 60 * time.Second

// logCSP allows the page its own inline style and nothing else: the page needs no script,
// no image and no form.
const logCSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// logPage serves GET /log/{siteID}: the site's public moderation log as plain HTML, newest
// first, with an "older" link to the next page.
type logPage struct {
	log    parley.ModerationLogService
	sites  parley.SiteService
	logger *slog.Logger
}

// logView is what the template shows.
type logView struct {
	Site    string
	Entries []logLine
	Older   string
	Status  int
	Message string
}

// logLine is one entry in words.
type logLine struct {
	When string
	Text string
}

var logTemplate = template.Must(template.New("log").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{if .Site}}Moderation log of {{.Site}}{{else}}Moderation log{{end}}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;background:#fff}
h1{font-size:1.4rem}
ol{list-style:none;padding:0}
li{border-top:1px solid #ddd;padding:.5rem 0}
time{color:#555;font-size:.9rem;display:block}
a{color:#0b57d0}
</style>
</head>
<body>
<main>
<h1>{{if .Site}}Moderation log of {{.Site}}{{else}}Moderation log{{end}}</h1>
{{if .Message}}<p role="alert">{{.Message}}</p>{{else}}
<p>Every moderation decision on this site, counted per day and reason; every sanction, trust level pin and rule change. Reporters are never named, and no comment is shown.</p>
{{if .Entries}}<ol>
{{range .Entries}}<li><time>{{.When}}</time>{{.Text}}</li>
{{end}}</ol>{{else}}<p>Nothing logged yet.</p>{{end}}
{{if .Older}}<p><a href="{{.Older}}" rel="next">Older entries</a></p>{{end}}
{{end}}
</main>
</body>
</html>
`))

func (p logPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	siteID := r.PathValue("siteID")
	q := r.URL.Query()
	after := q.Get("after")
	first, err := pageSize(q.Get("first"))
	var page *parley.LogPage
	if err == nil {
		page, err = p.log.ModerationLog(r.Context(), siteID, first, after)
	}
	view := logView{Status: http.StatusOK}
	if err == nil {
		var site *parley.Site
		if site, err = p.sites.FindSiteByID(r.Context(), siteID); err == nil {
			view.Site = site.Name
		}
	}
	if err != nil {
		view.Status, view.Message = parley.HTTPStatus(parley.ErrorCode(err)), parley.ErrorMessage(err)
		if view.Status == http.StatusInternalServerError {
			p.logger.ErrorContext(r.Context(), "moderation log page", "site", siteID, "err", err,
				"requestID", parley.RequestIDFromContext(r.Context()))
		}
	} else {
		for _, e := range page.Entries {
			view.Entries = append(view.Entries, logLine{When: logWhen(e), Text: LogText(e)})
		}
		if page.HasNext && len(page.Entries) > 0 {
			older := url.Values{"after": {page.Entries[len(page.Entries)-1].Cursor()}}
			if q.Has("first") {
				older.Set("first", strconv.Itoa(first))
			}
			view.Older = "/log/" + url.PathEscape(siteID) + "?" + older.Encode()
		}
	}
	var buf bytes.Buffer
	if err := logTemplate.Execute(&buf, view); err != nil {
		p.logger.ErrorContext(r.Context(), "moderation log page: template", "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", logCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if view.Status == http.StatusOK {
		h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(LogMaxAge/time.Second)))
	} else {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(view.Status)
	_, _ = w.Write(buf.Bytes())
}

// LogPageSize is how many entries the page shows unless ?first= says otherwise: more than
// the API's default, since a page is read whole.
const LogPageSize = 50

// pageSize reads the page's optional first parameter.
func pageSize(s string) (int, error) {
	if s == "" {
		return LogPageSize, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > parley.MaxLogPage {
		return 0, parley.FieldErrorf("first", "A log page has 1 to %d entries.", parley.MaxLogPage)
	}
	return n, nil
}

func logWhen(e *parley.LogEntry) string {
	if e.Kind == parley.LogDecisions {
		return e.Day.Format("Monday 2 January 2006")
	}
	return e.At.UTC().Format("2 January 2006, 15:04 UTC")
}

// LogText says an entry in words; names the site hides are already gone from e.
func LogText(e *parley.LogEntry) string {
	who, subject := e.Username, e.Username
	if who == "" {
		who, subject = "a commenter", "A commenter"
	}
	by := ""
	if e.Moderator != "" {
		by = " by " + e.Moderator
	}
	switch e.Kind {
	case parley.LogDecisions:
		reason := ""
		if e.Reason != "" {
			reason = " for " + e.Reason
		}
		if e.By == parley.DecidedByPipeline {
			return fmt.Sprintf("%d × %s by the moderation pipeline (stage %s)", e.Count, e.Action, e.Reason)
		}
		return fmt.Sprintf("%d × %s%s", e.Count, e.Action, reason)
	case parley.LogSanction:
		verb := map[parley.SanctionKind]string{parley.SanctionBan: "banned", parley.SanctionSuspend: "suspended",
			parley.SanctionPremod: "put on pre-moderation", parley.SanctionWarn: "warned"}[e.SanctionKind]
		if verb == "" {
			verb = "sanctioned (" + string(e.SanctionKind) + ")"
		}
		until := ""
		if e.ExpiresAt != nil {
			until = " until " + e.ExpiresAt.UTC().Format("2 January 2006, 15:04 UTC")
		}
		return fmt.Sprintf("%s was %s%s%s.", subject, verb, until, by)
	case parley.LogLevelPin:
		to := 0
		if e.ToLevel != nil {
			to = int(*e.ToLevel)
		}
		if e.Unpinned {
			return fmt.Sprintf("The pin on the trust level of %s was lifted%s: from level %d to level %d, what their activity earns.", who, by, e.FromLevel, to)
		}
		return fmt.Sprintf("The trust level of %s was pinned from level %d to level %d%s.", who, e.FromLevel, to, by)
	}
	if r := e.Rule; r != nil {
		text := map[parley.LogKind]string{parley.LogRuleProposal: "Rule proposal", parley.LogRuleVotes: "Vote on a rule proposal",
			parley.LogRuleEnacted: "Rule enacted"}[e.Kind]
		if r.Rule != "" {
			text += " " + r.Rule
		}
		if r.State != "" {
			text += " (" + r.State + ")"
		}
		if e.Kind == parley.LogRuleVotes {
			text += fmt.Sprintf(": %d for, %d against", r.VotesFor, r.VotesAgainst)
		}
		if r.Version > 0 {
			text += fmt.Sprintf(", version %d", r.Version)
		}
		if r.Summary != "" {
			text += ": " + r.Summary
		}
		return text + "."
	}
	return string(e.Kind)
}

package server

import (
	"html/template"
	"log/slog"
	"net/http"

	"github.com/parleyhq/parley"
)

// unsubscribePage serves /unsubscribe?token=…, the link in every notification mail. A mail
// client's one-click button POSTs "List-Unsubscribe=One-Click" to it (RFC 8058) and needs no
// page; a reader who opens the link gets a page with one button, so that GET, which link
// scanners fetch, changes nothing.
type unsubscribePage struct {
	notifications parley.NotificationService
	logger        *slog.Logger
}

var unsubscribeTemplate = template.Must(template.New("unsubscribe").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<title>Unsubscribe</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b;background:#fff}
button{padding:.5rem 1rem;font:inherit;background:#1d4ed8;color:#fff;border:0;border-radius:.4rem}
p[role=alert]{color:#b91c1c}
</style>
</head>
<body>
<main>
<h1>Unsubscribe</h1>
{{if .Message}}<p {{if .Failed}}role="alert"{{else}}role="status"{{end}}>{{.Message}}</p>
{{else}}<p>Stop these emails? The notifications stay in the bell on the site.</p>
<form method="post"><input type="hidden" name="token" value="{{.Token}}"><button type="submit">Unsubscribe</button></form>{{end}}
</main>
</body>
</html>
`))

func (p unsubscribePage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v := struct {
		Token, Message string
		Failed         bool
	}{Token: r.URL.Query().Get("token")}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		_ = r.ParseForm()
		if t := r.PostForm.Get("token"); t != "" {
			v.Token = t
		}
		_, err := p.notifications.Unsubscribe(r.Context(), v.Token)
		switch code := parley.ErrorCode(err); code {
		case "":
			v.Message = "Done: you will get no more of these emails."
		case parley.EINTERNAL:
			p.logger.ErrorContext(r.Context(), "unsubscribe", "error", err)
			v.Message, v.Failed, status = "Something went wrong on our side; please try again later.", true, http.StatusInternalServerError
		default:
			v.Message, v.Failed, status = parley.ErrorMessage(err), true, parley.HTTPStatus(code)
		}
	} else if v.Token == "" {
		v.Message, v.Failed, status = "This link is incomplete; use the link from the email as it is.", true, http.StatusBadRequest
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", accountCSP)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	if err := unsubscribeTemplate.Execute(w, v); err != nil {
		p.logger.Error("unsubscribe page", "error", err)
	}
}

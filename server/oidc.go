package server

import (
	"crypto/rand"
	"encoding/hex"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/parleyhq/parley"
)

// oidcPages serves the popup the widget opens for OpenID Connect sign-in: /oidc/start sends
// the reader to the provider, /oidc/callback finishes there, and /oidc/link records the
// reader's consent to link an existing account. The session reaches the widget by
// postMessage to window.opener, aimed at the one allowed origin the flow began from, so no
// cookie is ever set and sign-in works with third-party cookies blocked.
type oidcPages struct {
	oidc   parley.OIDCService
	logger *slog.Logger
}

// oidcMessage is what the popup posts to the widget.
type oidcMessage struct {
	Type      string `json:"type"`
	Token     string `json:"token,omitempty"`
	ExpiresAt string `json:"expiresAt,omitempty"`
	UserID    string `json:"userId,omitempty"`
	Username  string `json:"username,omitempty"`
	Code      string `json:"code,omitempty"`
	Message   string `json:"message,omitempty"`
}

var oidcTemplate = template.Must(template.New("oidc").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<title>Sign in</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b;background:#fff}
button{padding:.5rem 1rem;font:inherit;background:#1d4ed8;color:#fff;border:0;border-radius:.4rem}
p[role=alert]{color:#b91c1c}
</style>
</head>
<body>
<main>
{{if .LinkToken}}<h1>Link your account?</h1>
<p>An account with the address {{.LinkEmail}} already exists. Sign in to it with this provider from now on?</p>
<form method="post" action="link"><input type="hidden" name="token" value="{{.LinkToken}}"><button type="submit">Link and sign in</button></form>
{{else if .Failed}}<h1>Sign-in failed</h1><p role="alert">{{.Message}}</p><p><small>Code: <code>{{.Payload.Code}}</code></small></p>
{{else}}<h1>Signed in</h1><p role="status">You may close this window.</p>{{end}}
</main>
{{if .Origin}}<script nonce="{{.Nonce}}">
(function(){var m={{.Payload}};if(window.opener){window.opener.postMessage(m,{{.Origin}});if(m.type==="parley:oidc:session"){window.close();}}})();
</script>{{end}}
</body>
</html>
`))

type oidcView struct {
	LinkToken, LinkEmail, Message, Origin, Nonce string
	Failed                                       bool
	Payload                                      oidcMessage
}

func (p oidcPages) start(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	u, err := p.oidc.StartOIDC(r.Context(), q.Get("provider"), q.Get("site"), q.Get("origin"))
	if err != nil {
		// Before the flow exists no origin is trusted, so the error is shown, not posted.
		p.render(w, r, nil, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u, http.StatusFound)
}

func (p oidcPages) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		p.render(w, r, nil, parley.Errorf(parley.EUNAUTHENTICATED, "The provider did not sign you in (%s).", e))
		return
	}
	in, err := p.oidc.FinishOIDC(r.Context(), q.Get("state"), q.Get("code"))
	p.render(w, r, in, err)
}

func (p oidcPages) link(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	_ = r.ParseForm()
	in, err := p.oidc.ConfirmOIDCLink(r.Context(), r.PostForm.Get("token"))
	p.render(w, r, in, err)
}

// render answers the popup's page. A failure is posted to the opener only when the flow's
// origin is known; a session only ever to that origin.
func (p oidcPages) render(w http.ResponseWriter, r *http.Request, in *parley.OIDCSignIn, err error) {
	v := oidcView{Nonce: scriptNonce()}
	status := http.StatusOK
	switch {
	case err != nil:
		code := parley.ErrorCode(err)
		if code == parley.EINTERNAL {
			p.logger.ErrorContext(r.Context(), "OIDC sign-in failed", "err", err)
		}
		v.Failed, v.Message, status = true, parley.ErrorMessage(err), parley.HTTPStatus(code)
		v.Payload = oidcMessage{Type: "parley:oidc:error", Code: code, Message: v.Message}
		if in != nil {
			v.Origin = in.Origin
		}
	case in.Session != nil:
		v.Origin = in.Origin
		v.Payload = oidcMessage{Type: "parley:oidc:session", Token: in.Session.Token,
			ExpiresAt: in.Session.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z"),
			UserID:    in.Session.User.ID, Username: in.Session.User.Username}
	default:
		v.Origin, v.LinkToken, v.LinkEmail = in.Origin, in.LinkToken, in.LinkEmail
		v.Payload = oidcMessage{Type: "parley:oidc:link"}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-"+v.Nonce+"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	if err := oidcTemplate.Execute(w, v); err != nil {
		p.logger.ErrorContext(r.Context(), "render OIDC page", "err", err)
	}
}

func scriptNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

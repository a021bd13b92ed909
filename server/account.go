package server

import (
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/parleyhq/parley"
)

// accountCSP lets the account pages post their one form to themselves and nothing else.
const accountCSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// accountPages serves the pages that mailed links open: /account/reset (choose a new
// password), /account/verify (confirm an address) and /account/email (confirm one half of an
// email change). They are plain server-rendered forms on Parley's own origin, not the widget:
// a link from a mail opens as a first-party page, so it works with third-party cookies and
// storage blocked, needs no script, and the token goes back in a POST body. Nothing is used up
// by GET, so a mail scanner that fetches links cannot spend a reader's token.
type accountPages struct {
	recovery parley.RecoveryService
	logger   *slog.Logger
}

// accountText is every string of the pages, per language.
var accountText = map[string]map[string]string{
	"en": {
		"reset.title": "Choose a new password", "reset.button": "Set password", "reset.password": "New password",
		"reset.done":   "Your password is changed, and every session of your account was signed out. Sign in again with the new password.",
		"verify.title": "Confirm your email address", "verify.button": "Confirm", "verify.done": "Thank you: your address is confirmed.",
		"email.title": "Confirm the change of address", "email.button": "Confirm",
		"email.done": "Your account's address is changed.", "email.half": "Confirmed. The change happens once the other address confirms too.",
		"missing": "This link is incomplete; copy the whole link from the email.", "error": "Something went wrong on our side; please try again later.",
	},
	"de": {
		"reset.title": "Neues Passwort wählen", "reset.button": "Passwort speichern", "reset.password": "Neues Passwort",
		"reset.done":   "Ihr Passwort ist geändert, und alle Sitzungen Ihres Kontos wurden abgemeldet. Melden Sie sich mit dem neuen Passwort wieder an.",
		"verify.title": "E-Mail-Adresse bestätigen", "verify.button": "Bestätigen", "verify.done": "Danke: Ihre Adresse ist bestätigt.",
		"email.title": "Adressänderung bestätigen", "email.button": "Bestätigen",
		"email.done": "Die Adresse Ihres Kontos ist geändert.", "email.half": "Bestätigt. Die Änderung geschieht, sobald auch die andere Adresse bestätigt.",
		"missing": "Dieser Link ist unvollständig; kopieren Sie den ganzen Link aus der E-Mail.", "error": "Bei uns ist etwas schiefgegangen; bitte versuchen Sie es später noch einmal.",
	},
}

// accountLang picks the page language from Accept-Language as mail does.
func accountLang(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(part))
		if i := strings.IndexAny(tag, "-_;"); i >= 0 {
			tag = tag[:i]
		}
		if _, ok := accountText[tag]; ok {
			return tag
		}
	}
	return "en"
}

type accountView struct {
	Lang, Page, Token string
	T                 map[string]string
	Message           string
	Failed, Done      bool
}

var accountTemplate = template.Must(template.New("account").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="no-referrer">
<title>{{index .T (print .Page ".title")}}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b;background:#fff}
h1{font-size:1.4rem}
label{display:block;margin:.75rem 0 .25rem}
input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;font:inherit}
button{margin-top:1rem;padding:.5rem 1rem;font:inherit;background:#1d4ed8;color:#fff;border:0;border-radius:.4rem}
p[role=alert]{color:#b91c1c}
</style>
</head>
<body>
<main>
<h1>{{index .T (print .Page ".title")}}</h1>
{{if .Message}}<p {{if .Failed}}role="alert"{{else}}role="status"{{end}}>{{.Message}}</p>{{end}}
{{if not .Done}}<form method="post">
<input type="hidden" name="token" value="{{.Token}}">
{{if eq .Page "reset"}}<label for="password">{{index .T "reset.password"}}</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="10" maxlength="256" required autofocus>{{end}}
<button type="submit">{{index .T (print .Page ".button")}}</button>
</form>{{end}}
</main>
</body>
</html>
`))

func (p accountPages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	page := r.PathValue("page")
	if page != "reset" && page != "verify" && page != "email" {
		http.NotFound(w, r)
		return
	}
	lang := accountLang(r)
	v := accountView{Lang: lang, Page: page, T: accountText[lang], Token: r.URL.Query().Get("token")}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		if err := r.ParseForm(); err != nil {
			v.Message, v.Failed, status = v.T["missing"], true, http.StatusBadRequest
		} else {
			v.Token = r.PostForm.Get("token")
			status = p.submit(r, &v)
		}
	} else if v.Token == "" {
		v.Message, v.Failed, v.Done, status = v.T["missing"], true, true, http.StatusBadRequest
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", accountCSP)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	if err := accountTemplate.Execute(w, v); err != nil {
		p.logger.Error("account page", "error", err)
	}
}

// submit uses the token and says how it went.
func (p accountPages) submit(r *http.Request, v *accountView) int {
	ctx := r.Context()
	var err error
	done := ""
	switch v.Page {
	case "reset":
		err, done = p.recovery.ResetPassword(ctx, v.Token, r.PostForm.Get("password")), "reset.done"
	case "verify":
		err, done = p.recovery.VerifyEmail(ctx, v.Token), "verify.done"
	case "email":
		var changed bool
		changed, err = p.recovery.ConfirmEmailChange(ctx, v.Token)
		done = "email.half"
		if changed {
			done = "email.done"
		}
	}
	switch code := parley.ErrorCode(err); code {
	case "":
		v.Message, v.Done = v.T[done], true
		return http.StatusOK
	case parley.EINTERNAL:
		p.logger.ErrorContext(ctx, "account page", "page", v.Page, "error", err)
		v.Message, v.Failed = v.T["error"], true
		return http.StatusInternalServerError
	default:
		// The services' messages are written for readers; they are English only for now.
		v.Message, v.Failed = parley.ErrorMessage(err), true
		// A password the rules refuse can be typed again; a dead token cannot be retried.
		v.Done = code != parley.EINVALID || v.Page != "reset"
		return parley.HTTPStatus(code)
	}
}

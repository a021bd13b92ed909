package notify

import (
	"net/url"
	"strings"

	"github.com/parleyhq/parley"
)

// Render turns a mail template into a mail: package mail's Templates.Render.
type Render func(kind, lang, to string, data any) (*parley.Mail, error)

// Mailer returns the NotificationMailer that writes a notification's mail from the
// "notification" template, with a one-click unsubscribe link for its kind in the body and in
// the List-Unsubscribe and List-Unsubscribe-Post headers (RFC 8058), so mail clients offer
// an unsubscribe button that works with one POST.
func Mailer(render Render, publicURL string, unsub *Unsubscribe) parley.NotificationMailer {
	publicURL = strings.TrimRight(publicURL, "/")
	return func(n *parley.InboxNotification, to *parley.User, lang string) (*parley.Mail, error) {
		link := publicURL + "/unsubscribe?token=" + url.QueryEscape(unsub.Token(to.ID, n.Kind))
		m, err := render("notification", lang, to.Email, map[string]any{
			"Username": to.Username, "Kind": string(n.Kind), "Detail": n.Detail, "Link": publicURL, "Unsubscribe": link,
		})
		if err != nil {
			return nil, err
		}
		m.Headers = map[string]string{
			"List-Unsubscribe":      "<" + link + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		}
		return m, nil
	}
}

package nats

import (
	"context"
	"fmt"

	natsgo "github.com/nats-io/nats.go"
)

// PluginSubject is where a moderation plug-in called name answers requests:
// parley.moderation.<name>. A plug-in in any language subscribes there (in a queue group, to
// run several copies) and replies to each message.
func PluginSubject(name string) string { return SubjectPrefix + ".moderation." + name }

// PluginTransport carries moderation plug-in requests over NATS request/reply; it is the
// NATS counterpart of plugin.HTTP and satisfies plugin.Transport.
type PluginTransport struct {
	// Conn returns the connection to use (a function, so a restarted embedded server's new
	// connection is picked up).
	Conn    func() *natsgo.Conn
	Subject string
}

// RoundTrip sends the signed request with its headers and returns the reply and its headers.
// No responder, a timeout or an error status are errors, which the stage's policy handles.
func (t PluginTransport) RoundTrip(ctx context.Context, body []byte, header map[string]string) ([]byte, map[string]string, error) {
	nc := t.Conn()
	if nc == nil {
		return nil, nil, fmt.Errorf("no NATS connection for plug-in %s", t.Subject)
	}
	msg := natsgo.NewMsg(t.Subject)
	msg.Data = body
	for k, v := range header {
		msg.Header.Set(k, v)
	}
	reply, err := nc.RequestMsgWithContext(ctx, msg)
	if err != nil {
		return nil, nil, fmt.Errorf("plug-in %s: %w", t.Subject, err)
	}
	out := map[string]string{}
	for k := range reply.Header {
		out[k] = reply.Header.Get(k)
	}
	if status := reply.Header.Get("Status"); status != "" && status != "200" {
		return nil, nil, fmt.Errorf("plug-in %s answered status %s", t.Subject, status)
	}
	return reply.Data, out, nil
}

package nats_test

import (
	"context"
	"strings"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/moderation"
	"github.com/parleyhq/parley/moderation/plugin"
	"github.com/parleyhq/parley/nats"
)

func TestPluginOverNATS(t *testing.T) {
	emb, err := nats.StartEmbedded(nats.EmbeddedOptions{StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Shutdown)
	nc, err := emb.Connect()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	secret := []byte("the NATS plug-in's shared secret")

	// The plug-in: any language could do this; this one is Go and uses plugin.Handle.
	pluginConn, err := emb.Connect()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pluginConn.Close)
	_, err = pluginConn.QueueSubscribe(nats.PluginSubject("questions"), "plugins", func(m *natsgo.Msg) {
		header := map[string]string{plugin.HeaderTimestamp: m.Header.Get(plugin.HeaderTimestamp), plugin.HeaderSignature: m.Header.Get(plugin.HeaderSignature)}
		reply, replyHeader, err := plugin.Handle(context.Background(), secret, func(_ context.Context, r plugin.Request) (plugin.Response, error) {
			if strings.Contains(r.Comment.BodySource, "?") {
				return plugin.Response{Decision: parley.DecisionHold, Flags: []string{"QUESTION"}}, nil
			}
			return plugin.Response{Decision: parley.DecisionPass}, nil
		}, m.Data, header)
		if err != nil {
			_ = m.Respond(nil)
			return
		}
		out := natsgo.NewMsg(m.Reply)
		out.Data = reply
		for k, v := range replyHeader {
			out.Header.Set(k, v)
		}
		_ = m.RespondMsg(out)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := pluginConn.Flush(); err != nil {
		t.Fatal(err)
	}
	sub := &parley.Submission{Action: parley.ActionCreate, Comment: &parley.Comment{ID: "0190a0a0-0000-7000-8000-000000000001", BodySource: "why?"}}
	moderate := func(subject string, secret []byte) *parley.Moderation {
		stage := plugin.NewStage("questions", secret, nats.PluginTransport{Conn: func() *natsgo.Conn { return nc }, Subject: subject})
		m, err := moderation.NewPipeline(moderation.Step{Stage: stage, Budget: 500 * time.Millisecond, FailClosed: true}).Moderate(context.Background(), sub)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	t.Run("a signed verdict comes back over request/reply", func(t *testing.T) {
		m := moderate(nats.PluginSubject("questions"), secret)
		if m.Decision != parley.DecisionHold || m.Trail[0].Error != "" || m.Trail[0].Verdict.Flags[0] != "QUESTION" {
			t.Fatalf("moderation = %+v", m)
		}
	})
	t.Run("no responder follows the failure policy", func(t *testing.T) {
		m := moderate(nats.PluginSubject("nobody"), secret)
		if m.Decision != parley.DecisionHold || m.Trail[0].Error == "" {
			t.Fatalf("moderation = %+v", m)
		}
	})
	t.Run("a request signed with another secret is not answered", func(t *testing.T) {
		m := moderate(nats.PluginSubject("questions"), []byte("not the plug-in's secret at all"))
		if m.Trail[0].Error == "" {
			t.Fatalf("moderation = %+v", m)
		}
	})
}

// Command webhook-slack forwards Parley's queue to Slack: it receives a site's webhooks,
// checks their signature, and posts a line to a Slack incoming webhook for every comment
// held for review and every report. It uses only the standard library, so it doubles as the
// reference for checking Parley-Signature in any language.
//
//	SLACK_WEBHOOK_URL=https://hooks.slack.com/services/… PARLEY_WEBHOOK_SECRET=whsec_… \
//	  webhook-slack -addr :9092 -dashboard https://comments.example.org/admin/
//
// Register https://<where it runs>/ as an endpoint for comment.created and comment.reported.
package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	addr := flag.String("addr", ":9092", "listen address")
	dashboard := flag.String("dashboard", "", "the dashboard's URL, linked from each message")
	flag.Parse()
	secret, slack := os.Getenv("PARLEY_WEBHOOK_SECRET"), os.Getenv("SLACK_WEBHOOK_URL")
	if secret == "" || slack == "" {
		log.Fatal("set PARLEY_WEBHOOK_SECRET and SLACK_WEBHOOK_URL")
	}
	http.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || !verify(secret, r.Header.Get("Parley-Signature"), body, 5*time.Minute) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if text := message(body, *dashboard); text != "" {
			msg, _ := json.Marshal(map[string]string{"text": text})
			resp, err := http.Post(slack, "application/json", bytes.NewReader(msg))
			if err != nil {
				http.Error(w, "slack unreachable", http.StatusBadGateway) // Parley retries
				return
			}
			resp.Body.Close()
			if resp.StatusCode >= 300 {
				http.Error(w, "slack refused", http.StatusBadGateway)
				return
			}
		}
		w.WriteHeader(http.StatusNoContent)
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}

// verify checks Parley-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">, with the
// timestamp within tolerance so an old request replayed is refused.
func verify(secret, header string, body []byte, tolerance time.Duration) bool {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > tolerance {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := hex.EncodeToString(mac.Sum(nil))
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return true
		}
	}
	return false
}

// message is the Slack line for an event, "" for one the queue need not hear about.
func message(body []byte, dashboard string) string {
	var e struct {
		Kind    string `json:"kind"`
		Payload struct {
			Status      string `json:"status"`
			BodySource  string `json:"bodySource"`
			Reason      string `json:"reason"`
			ReportCount int    `json:"reportCount"`
		} `json:"payload"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	switch {
	case e.Kind == "comment.created" && e.Payload.Status == "PENDING":
		return fmt.Sprintf("A comment waits for review: “%.200s” %s", e.Payload.BodySource, dashboard)
	case e.Kind == "comment.reported":
		return fmt.Sprintf("A comment was reported (%s, %d reports) %s", e.Payload.Reason, e.Payload.ReportCount, dashboard)
	}
	return ""
}

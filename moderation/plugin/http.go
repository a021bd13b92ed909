package plugin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// HTTP posts requests to a plug-in's URL.
type HTTP struct {
	URL    string
	Client *http.Client
}

// RoundTrip implements Transport. A status other than 200 is an error.
func (h HTTP) RoundTrip(ctx context.Context, body []byte, header map[string]string) ([]byte, map[string]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := h.Client
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(res.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("plug-in answered %s", res.Status)
	}
	return reply, map[string]string{
		HeaderTimestamp: res.Header.Get(HeaderTimestamp),
		HeaderSignature: res.Header.Get(HeaderSignature),
	}, nil
}

package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// httpMetrics counts requests and their time by route and status class.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_http_requests_total", Help: "HTTP requests by route, method and status code; 499 when the client hung up first.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "parley_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// routes are the label values; any other path is "other", so hostile paths cannot grow the
// series without bound.
var routes = map[string]bool{"/graphql": true, "/healthz": true, "/readyz": true, "/metrics": true, "/_bench/static": true}

func (m *httpMetrics) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route := r.URL.Path
		if !routes[route] {
			route = "other"
		}
		start := time.Now()
		rec := &responseRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		status := outcome(r, rec)
		method := r.Method
		switch method {
		case http.MethodGet, http.MethodPost, http.MethodOptions, http.MethodHead:
		default:
			method = "other"
		}
		m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
		// A WebSocket lives for hours; its time says nothing about the server's speed.
		if r.Header.Get("Upgrade") == "" {
			m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
		}
	})
}

// metricsHandler serves the registry in the Prometheus text format.
func metricsHandler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}

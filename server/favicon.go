package server

import (
	_ "embed"
	"net/http"
)

// faviconSVG is Parley's icon. Browsers ask every page's origin for /favicon.ico; answering
// with the icon (SVG, which current browsers accept there too) keeps a JSON 404 out of every
// page load and the logs.
//
//go:embed favicon.svg
var faviconSVG []byte

func favicon(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	w.Write(faviconSVG)
}

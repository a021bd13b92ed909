package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// Cache lifetimes of the frontend's files. embed.js and count.js keep their names across
// releases (host pages link them), so caches check back within minutes; the dashboard's
// assets carry a content hash in their names and never change.
const (
	stableAssetCache = "public, max-age=300, stale-while-revalidate=86400"
	hashedAssetCache = "public, max-age=31536000, immutable"
)

// dashboardCSP keeps the dashboard to its own scripts and API and out of every frame: it is
// where moderators act, so it must not be clickjacked.
const dashboardCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; " +
	"form-action 'self'; object-src 'none'"

// asset is one built file, read once at start with its gzip form when that is smaller.
type asset struct {
	name        string
	body, gzip  []byte
	etag        string
	contentType string
}

// frontendFiles serves the built widget and dashboard.
type frontendFiles struct {
	assets  map[string]*asset
	origins *originPolicy
	demo    *asset // nil unless a demo page was given
}

func newFrontendFiles(files fs.FS, demo []byte, origins *originPolicy) (*frontendFiles, error) {
	f := &frontendFiles{assets: map[string]*asset{}, origins: origins}
	if demo != nil {
		f.demo = newAsset("demo.html", demo)
	}
	if files == nil {
		return f, nil
	}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path.Base(name), ".") {
			return err
		}
		body, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		f.assets[name] = newAsset(name, body)
		return nil
	})
	return f, err
}

func newAsset(name string, body []byte) *asset {
	sum := sha256.Sum256(body)
	a := &asset{name: name, body: body, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
	switch path.Ext(name) {
	case ".js", ".mjs":
		a.contentType = "text/javascript; charset=utf-8"
	case ".css":
		a.contentType = "text/css; charset=utf-8"
	case ".html":
		a.contentType = "text/html; charset=utf-8"
	case ".svg":
		a.contentType = "image/svg+xml"
	case ".json":
		a.contentType = "application/json"
	default:
		a.contentType = http.DetectContentType(body)
	}
	if strings.HasPrefix(a.contentType, "text/") || strings.HasSuffix(a.contentType, "json") || strings.HasSuffix(a.contentType, "xml") {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if buf.Len() < len(body) {
			a.gzip = buf.Bytes()
		}
	}
	return a
}

// routes mounts the frontend on mux.
func (f *frontendFiles) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /embed.js", func(w http.ResponseWriter, r *http.Request) { f.script(w, r, "embed.js") })
	mux.HandleFunc("GET /count.js", func(w http.ResponseWriter, r *http.Request) { f.script(w, r, "count.js") })
	// The widget's parts loaded on demand (the account dialog, sign-in, reports, trust).
	mux.HandleFunc("GET /embed-extras.js", func(w http.ResponseWriter, r *http.Request) { f.script(w, r, "embed-extras.js") })
	mux.HandleFunc("GET /i18n/{file}", func(w http.ResponseWriter, r *http.Request) {
		f.script(w, r, "i18n/"+r.PathValue("file"))
	})
	mux.HandleFunc("GET /embed", f.framePage)
	mux.HandleFunc("GET /admin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /admin/assets/{file}", f.dashboardAsset)
	mux.HandleFunc("GET /admin/{path...}", f.dashboard)
	if f.demo != nil {
		mux.HandleFunc("GET /demo", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "no-cache")
			f.serve(w, r, f.demo)
		})
	}
}

// script serves embed.js, count.js or a widget catalog (i18n/<lang>.json), which any page
// may load.
func (f *frontendFiles) script(w http.ResponseWriter, r *http.Request, name string) {
	a := f.assets[name]
	switch {
	case a == nil && strings.HasPrefix(name, "i18n/"):
		notFound(w, r)
		return
	case a == nil:
		notBuilt(w)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", stableAssetCache)
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	h.Set("Access-Control-Allow-Origin", "*")
	f.serve(w, r, a)
}

func (f *frontendFiles) dashboardAsset(w http.ResponseWriter, r *http.Request) {
	a := f.assets["admin/assets/"+r.PathValue("file")]
	if a == nil {
		notFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", hashedAssetCache)
	f.serve(w, r, a)
}

// dashboard answers every /admin/ path with the single-page app, which routes itself.
func (f *frontendFiles) dashboard(w http.ResponseWriter, r *http.Request) {
	a := f.assets["admin/index.html"]
	if a == nil {
		notBuilt(w)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", dashboardCSP)
	h.Set("X-Frame-Options", "DENY")
	f.serve(w, r, a)
}

// framePageTemplate shows one story's discussion (or one comment) in a frame, for host pages
// that cannot run a third-party script.
var framePageTemplate = template.Must(template.New("frame").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Comments</title><style>body{margin:0;font-family:system-ui,sans-serif}</style></head>
<body><script src="/embed.js" data-story-url="{{.StoryURL}}" data-story-id="{{.StoryID}}" data-comment-id="{{.CommentID}}" data-lang="{{.Lang}}" data-eager="true" data-frame></script></body></html>
`))

// framePage serves /embed?storyURL=…: the widget in a page of its own. Only the origin of
// the story's URL may frame it, and only when a site allows that origin.
func (f *frontendFiles) framePage(w http.ResponseWriter, r *http.Request) {
	if f.assets["embed.js"] == nil {
		notBuilt(w)
		return
	}
	q := r.URL.Query()
	ancestor := "'none'"
	if u, err := url.Parse(q.Get("storyURL")); err == nil && u.Scheme != "" && u.Host != "" {
		origin := u.Scheme + "://" + u.Host
		if f.origins.allowed(r.Context(), origin) {
			ancestor = origin
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "+
		"connect-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors "+ancestor)
	framePageTemplate.Execute(w, map[string]string{
		"StoryURL": q.Get("storyURL"), "StoryID": q.Get("storyID"), "CommentID": q.Get("commentID"),
		"Lang": langOr(q.Get("lang"), "en"),
	})
}

func langOr(lang, fallback string) string {
	if len(lang) < 2 || len(lang) > 12 || strings.Trim(lang, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != "" {
		return fallback
	}
	return lang
}

// serve writes a, gzipped when the client accepts it, answering conditional requests.
func (f *frontendFiles) serve(w http.ResponseWriter, r *http.Request, a *asset) {
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", a.etag)
	h.Add("Vary", "Accept-Encoding")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.body
	if a.gzip != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = a.gzip
	}
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, param, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			continue
		}
		q, found := strings.CutPrefix(strings.ReplaceAll(param, " ", ""), "q=")
		if !found {
			return true
		}
		weight, err := strconv.ParseFloat(q, 64)
		return err == nil && weight > 0
	}
	return false
}

func notBuilt(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	w.Write([]byte("The frontend is not built into this binary: run `make build`.\n"))
}

package importer

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// DefaultMaxUploadBytes bounds an export uploaded from the dashboard, unless HandlerOptions
// says otherwise.
const DefaultMaxUploadBytes = 2 << 30

// HandlerOptions configure the upload endpoint.
type HandlerOptions struct {
	// MaxBytes bounds the upload; DefaultMaxUploadBytes when 0.
	MaxBytes int64
	// TempDir holds an upload while it is imported (the importer reads it again for replies
	// that came before their parent); os.TempDir() when "".
	TempDir string
	// ProgressEvery is how often a progress line is sent; 1 s when 0.
	ProgressEvery time.Duration
	Logger        *slog.Logger
}

// Handler takes an export uploaded by a site's admin (POST ?site=ID&format=F, the file as
// the body or as the "file" part of a multipart form) and imports it as `parley import`
// does, answering with newline-delimited JSON as it goes: {"progress":{…}} lines, then one
// {"report":{…}} line, with "error" beside it when the import stopped. The upload streams to
// a temporary file as the first pass reads it, so memory stays bounded and the import starts
// before the upload ends; the file is removed when the request ends.
type Handler struct {
	store    parley.ImportStore
	sanitize Sanitizer
	users    parley.UserService
	o        HandlerOptions
}

// NewHandler returns the upload endpoint, importing into store and asking users who
// administers which site.
func NewHandler(store parley.ImportStore, s Sanitizer, users parley.UserService, o HandlerOptions) *Handler {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxUploadBytes
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{store: store, sanitize: s, users: users, o: o}
}

// Line is one line of the endpoint's answer.
type Line struct {
	Progress *Progress   `json:"progress,omitempty"`
	Report   *LineReport `json:"report,omitempty"`
	Error    *LineError  `json:"error,omitempty"`
}

// LineReport is Report as the endpoint says it.
type LineReport struct {
	Threads    int                 `json:"threads"`
	Comments   int                 `json:"comments"`
	Imported   int                 `json:"imported"`
	Duplicates int                 `json:"duplicates"`
	Reactions  int                 `json:"reactions"`
	Skipped    map[string]int      `json:"skipped"`
	Examples   map[string][]string `json:"examples"`
	Passes     int                 `json:"passes"`
	ElapsedMs  int64               `json:"elapsedMs"`
}

// LineError is a refusal or what stopped an import, with the API's error code.
type LineError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	siteID, format := r.URL.Query().Get("site"), r.URL.Query().Get("format")
	if err := h.allowed(r.Context(), siteID, format); err != nil {
		writeLine(w, parley.HTTPStatus(parley.ErrorCode(err)), Line{Error: lineError(err)})
		return
	}
	body, err := h.upload(w, r)
	if err != nil {
		writeLine(w, parley.HTTPStatus(parley.ErrorCode(err)), Line{Error: lineError(err)})
		return
	}
	tmp, err := os.CreateTemp(h.o.TempDir, "parley-import-*")
	if err != nil {
		h.o.Logger.Error("import upload: temporary file", "error", err)
		writeLine(w, http.StatusInternalServerError, Line{Error: lineError(err)})
		return
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()

	// An upload takes longer than the server's read timeout, and its answer streams while
	// the body is still read.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	_ = rc.EnableFullDuplex()
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	send := func(l Line) {
		_ = enc.Encode(l)
		_ = rc.Flush()
	}
	first := true
	open := func() (io.ReadCloser, error) {
		if first {
			first = false
			return io.NopCloser(io.TeeReader(body, tmp)), nil
		}
		return os.Open(tmp.Name())
	}
	im := New(h.store, h.sanitize, Options{ProgressEvery: h.o.ProgressEvery, Progress: func(p Progress) { send(Line{Progress: &p}) }})
	rep, err := im.Import(r.Context(), siteID, format, open)
	out := Line{}
	if rep != nil {
		out.Report = &LineReport{Threads: rep.Threads, Comments: rep.Comments, Imported: rep.Imported, Duplicates: rep.Duplicates,
			Reactions: rep.Reactions, Skipped: rep.Skipped, Examples: rep.Examples, Passes: rep.Passes, ElapsedMs: rep.Elapsed.Milliseconds()}
	}
	if err != nil {
		if parley.ErrorCode(err) == parley.EINTERNAL {
			h.o.Logger.Error("import upload", "site", siteID, "error", err)
		}
		out.Error = lineError(err)
	}
	send(out)
}

// allowed checks the caller administers the site and the format is known.
func (h *Handler) allowed(ctx context.Context, siteID, format string) error {
	viewer := parley.UserIDFromContext(ctx)
	if viewer == "" {
		return parley.Errorf(parley.EUNAUTHENTICATED, "Sign in as an admin of the site to import into it.")
	}
	if !parley.IsID(siteID) {
		return parley.FieldErrorf("site", "Say which site to import into (?site=ID).")
	}
	if _, err := newReader(format, strings.NewReader("")); err != nil {
		return err
	}
	role, err := h.users.SiteRole(ctx, siteID, viewer)
	if err != nil {
		return err
	}
	if role != parley.RoleAdmin {
		return parley.Errorf(parley.EFORBIDDEN, "Only the site's admins import into it.")
	}
	return nil
}

// upload is the request's file: its body, or the "file" part of a multipart form, read as
// it arrives, bounded by MaxBytes.
func (h *Handler) upload(w http.ResponseWriter, r *http.Request) (io.Reader, error) {
	r.Body = http.MaxBytesReader(w, r.Body, h.o.MaxBytes)
	body := &limitError{r: r.Body, max: h.o.MaxBytes}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return body, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, parley.Errorf(parley.EINVALID, "The multipart form cannot be read: %s.", err.Error())
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, parley.FieldErrorf("file", "The form has no \"file\" part.")
		}
		if err != nil {
			return nil, parley.Errorf(parley.EINVALID, "The multipart form cannot be read: %s.", err.Error())
		}
		if part.FormName() == "file" {
			return &limitError{r: part, max: h.o.MaxBytes}, nil
		}
	}
}

// limitError says an upload over the limit as a typed error the importer passes on.
type limitError struct {
	r   io.Reader
	max int64
}

func (l *limitError) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
		err = parley.Errorf(parley.EINVALID, "The upload is larger than %d MiB; import it with `parley import` on the server.", l.max>>20)
	}
	return n, err
}

func lineError(err error) *LineError {
	code := parley.ErrorCode(err)
	msg := parley.ErrorMessage(err)
	if code == parley.EINTERNAL {
		msg = "Internal error."
	}
	return &LineError{Code: parley.APICode(code), Message: msg}
}

func writeLine(w http.ResponseWriter, status int, l Line) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(l)
}

package server

import (
	"log/slog"
	"net/http"

	"github.com/parleyhq/parley"
)

// siteExport streams a whole site's file (GET /admin/export/{siteID}) to an instance admin
// who sends their token, so a community can be moved without shell access to the server.
// The file holds members' emails and password hashes: it is never cached.
type siteExport struct {
	svc    parley.SiteExportService
	logger *slog.Logger
}

func (h siteExport) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u := parley.UserFromContext(r.Context())
	switch {
	case u == nil:
		w.Header().Set("WWW-Authenticate", `Bearer`)
		writeError(w, r, http.StatusUnauthorized, parley.Errorf(parley.EUNAUTHENTICATED, "Send an administrator's token to export a site."))
		return
	case !u.Admin:
		writeError(w, r, http.StatusForbidden, parley.Errorf(parley.EFORBIDDEN, "Only administrators may export a site."))
		return
	}
	siteID := r.PathValue("siteID")
	cw := &countingWriter{w: w, header: func() {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="parley-site-`+siteID+`.json"`)
		w.Header().Set("Cache-Control", "no-store")
	}}
	err := h.svc.ExportSite(r.Context(), siteID, cw)
	if err == nil {
		return
	}
	if cw.n == 0 {
		if parley.ErrorCode(err) == parley.EINTERNAL {
			h.logger.ErrorContext(r.Context(), "server: export site", "site", siteID, "error", err, "requestID", parley.RequestIDFromContext(r.Context()))
		}
		writeError(w, r, parley.HTTPStatus(parley.ErrorCode(err)), err)
		return
	}
	// Half the file is out: break the response, so the client sees a failed download rather
	// than a short file (which an import would refuse anyway: it has no end).
	h.logger.ErrorContext(r.Context(), "server: export site broke off", "site", siteID, "bytes", cw.n, "error", err)
	panic(http.ErrAbortHandler)
}

// countingWriter sets the headers before the first byte and counts the bytes written.
type countingWriter struct {
	w      http.ResponseWriter
	header func()
	n      int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.n == 0 && len(p) > 0 {
		c.header()
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

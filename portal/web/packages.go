package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"onramp.dev/onramp/portal"
)

func (h *handler) handleCatalog(w http.ResponseWriter, r *http.Request) {
	sum := sha256.Sum256(h.svc.SignedCatalog())
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache") // public and signed: kept, revalidated by its ETag
	serveContent(w, r, "catalog.json", time.Time{}, bytes.NewReader(h.svc.SignedCatalog()))
}

func (h *handler) handlePackage(w http.ResponseWriter, r *http.Request, u *portal.User, packages portal.PackageSource) {
	name := r.PathValue("name")
	pkg, err := h.svc.PackageFor(r.Context(), u, name)
	if err != nil {
		writeError(w, err)
		return
	}
	body, mod, ok := packages(name)
	if !ok {
		// The catalog lists it and the user may have it: the operator's
		// package folder lacks it (or serve has none), which only the log
		// can tell them.
		h.log().LogAttrs(r.Context(), slog.LevelError, "a package the catalog lists is not in the package folder", slog.String("event", "package_missing"),
			slog.String("package", name), slog.String("user_id", u.ID))
		writeProblem(w, http.StatusNotFound, "not_found", fmt.Sprintf("package %s is listed but not stored here", name))
		return
	}
	// The catalog's hash is the strongest validator there is.
	w.Header().Set("ETag", `"`+pkg.SHA256+`"`)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "private, no-cache") // for the entitled user only
	serveContent(w, r, name, mod, body)
}

// handleDownload serves a release file, with Range and Last-Modified
// (serveContent: the write deadline moves with each write, so a slow link
// gets the whole installer). Only the files the folder listed are served,
// and only while they are the files hashed.
func (h *handler) handleDownload(w http.ResponseWriter, r *http.Request) {
	pageHeaders(w)
	platform, name := r.PathValue("platform"), r.PathValue("name")
	file, f, err := h.svc.Releases().Open(platform, name)
	switch {
	case errors.Is(err, portal.ErrNotFound):
		http.Error(w, "no such download", http.StatusNotFound)
		return
	case errors.Is(err, portal.ErrReleaseChanged):
		h.log().Error("download refused: the file changed since the service hashed it; restart the service to offer the new one",
			"event", "download", "file", platform+"/"+name, "error", err)
		http.Error(w, "this download is being replaced; try again later", http.StatusServiceUnavailable)
		return
	case err != nil:
		h.log().Error("download failed", "event", "download", "file", platform+"/"+name, "error", err)
		http.Error(w, "this download is unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+file.Name+`"`)
	w.Header().Set("ETag", `"`+file.SHA256+`"`)
	w.Header().Set("Cache-Control", "no-cache")
	serveContent(w, r, file.Name, file.ModTime(), f) // closes f
}

// maxRanges is the most byte ranges one request may ask for: a resuming
// download asks for one, a few tools for a handful. More, or overlapping
// ones, are how a small request buys a large answer (RFC 9110, 14.2).
const maxRanges = 16

var errRanges = errors.New("too many or overlapping ranges")

// checkRanges refuses a Range header of more than maxRanges ranges or of
// ranges that overlap. Ranges it cannot read are left to
// http.ServeContent, which refuses or ignores them itself.
func checkRanges(header string, size int64) error {
	spec, ok := strings.CutPrefix(header, "bytes=")
	if header == "" || !ok {
		return nil
	}
	type span struct{ start, end int64 } // end exclusive
	var spans []span
	for part := range strings.SplitSeq(spec, ",") {
		if len(spans) == maxRanges {
			return errRanges
		}
		first, last, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			return nil
		}
		var s span
		switch {
		case first == "": // the last N bytes
			n, err := strconv.ParseInt(last, 10, 64)
			if err != nil {
				return nil
			}
			s = span{max(size-n, 0), size}
		default:
			start, err := strconv.ParseInt(first, 10, 64)
			if err != nil {
				return nil
			}
			s = span{start, size}
			if last != "" {
				end, err := strconv.ParseInt(last, 10, 64)
				if err != nil {
					return nil
				}
				s.end = min(end+1, size)
			}
		}
		spans = append(spans, s)
	}
	slices.SortFunc(spans, func(a, b span) int { return int(min(max(a.start-b.start, -1), 1)) })
	for i := 1; i < len(spans); i++ {
		if spans[i].start < spans[i-1].end {
			return errRanges
		}
	}
	return nil
}

// serveContent is http.ServeContent with bounds: the Range header is
// checked first, the content is closed when it is an io.Closer, and a
// long download gets a fresh write deadline for every write (a client that
// reads is never cut off; one that stops reading is, after the server's
// WriteTimeout).
func serveContent(w http.ResponseWriter, r *http.Request, name string, mod time.Time, content io.ReadSeeker) {
	if c, ok := content.(io.Closer); ok {
		defer c.Close()
	}
	size, err := content.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = content.Seek(0, io.SeekStart)
	}
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, "internal", "the account service failed; try again later")
		return
	}
	if err := checkRanges(r.Header.Get("Range"), size); err != nil {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", size))
		writeProblem(w, http.StatusRequestedRangeNotSatisfiable, "bad_range",
			fmt.Sprintf("at most %d ranges, none overlapping: ask for the file in fewer, separate ranges", maxRanges))
		return
	}
	if srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server); ok && srv.WriteTimeout > 0 {
		w = &deadlineWriter{ResponseWriter: w, rc: http.NewResponseController(w), timeout: srv.WriteTimeout}
	}
	http.ServeContent(w, r, name, mod, content)
}

// deadlineWriter moves the connection's deadlines before each write: the
// read deadline too, or the server's ReadTimeout would end the request's
// context in the middle of a long download.
type deadlineWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	d.rc.SetWriteDeadline(time.Now().Add(d.timeout))
	d.rc.SetReadDeadline(time.Now().Add(d.timeout))
	return d.ResponseWriter.Write(p)
}

func (d *deadlineWriter) Unwrap() http.ResponseWriter { return d.ResponseWriter }

package portal

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// FolderPackages serves package files from a folder, by base name only.
// The files it opens are io.Closers: the handler closes each one when its
// response is done.
func FolderPackages(dir string) PackageSource {
	return func(name string) (io.ReadSeeker, time.Time, bool) {
		if dir == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") {
			return nil, time.Time{}, false
		}
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return nil, time.Time{}, false
		}
		st, err := f.Stat()
		if err != nil || !st.Mode().IsRegular() {
			f.Close()
			return nil, time.Time{}, false
		}
		return f, st.ModTime(), true
	}
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

// excerpt shortens s to at most n bytes, cut on a character boundary and
// marked with an ellipsis: an error answer quotes a bad value, it does not
// echo it.
func excerpt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	cut := n - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}

// Bounds of an import's error answer.
const (
	maxReportedRows = 100
	maxReasonBytes  = 200
)

// reportedRows are the first maxReportedRows bad lines, each reason
// shortened to maxReasonBytes.
func reportedRows(rows []RowError) []RowError {
	out := make([]RowError, 0, min(len(rows), maxReportedRows))
	for _, r := range rows[:min(len(rows), maxReportedRows)] {
		r.Reason = excerpt(r.Reason, maxReasonBytes)
		out = append(out, r)
	}
	return out
}

func importDetail(rows []RowError) string {
	if len(rows) > maxReportedRows {
		return fmt.Sprintf("%d bad line(s), nothing imported; the first %d are listed, and %d more", len(rows), maxReportedRows, len(rows)-maxReportedRows)
	}
	return fmt.Sprintf("%d bad line(s), nothing imported", len(rows))
}

// maxDetailBytes bounds a problem's detail, which may quote what the
// client sent.
const maxDetailBytes = 512

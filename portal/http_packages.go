package portal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

func (h *handler) handleCatalog(w http.ResponseWriter, r *http.Request) {
	sum := sha256.Sum256(h.svc.signedCatalog)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache") // public and signed: kept, revalidated by its ETag
	serveContent(w, r, "catalog.json", time.Time{}, bytes.NewReader(h.svc.signedCatalog))
}

func (h *handler) handlePackage(w http.ResponseWriter, r *http.Request, u *User, packages PackageSource) {
	name := r.PathValue("name")
	if err := h.svc.contractActive(r.Context(), u.ContractID); err != nil {
		writeError(w, err)
		return
	}
	pkg, err := h.svc.PackageFor(u, name)
	if err != nil {
		writeError(w, err)
		return
	}
	body, mod, ok := packages(name)
	if !ok {
		// The catalog lists it and the user may have it: the operator's
		// package folder lacks it (or serve has none), which only the log
		// can tell them.
		h.svc.log.LogAttrs(r.Context(), slog.LevelError, "a package the catalog lists is not in the package folder", slog.String("event", "package_missing"),
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
	var file *ReleaseFile
	if h.svc.releases != nil {
		for i, f := range h.svc.releases.Files {
			if f.Platform == r.PathValue("platform") && f.Name == r.PathValue("name") {
				file = &h.svc.releases.Files[i]
			}
		}
	}
	if file == nil {
		http.Error(w, "no such download", http.StatusNotFound)
		return
	}
	f, err := os.Open(filepath.Join(h.svc.releases.dir, file.Platform, file.Name))
	if err != nil {
		h.svc.log.Error("download failed", "event", "download", "file", file.Platform+"/"+file.Name, "error", err)
		http.Error(w, "this download is unavailable", http.StatusInternalServerError)
		return
	}
	if st, err := f.Stat(); err != nil || !file.sameAs(st) {
		f.Close()
		h.svc.log.Error("download refused: the file changed since the service hashed it; restart the service to offer the new one",
			"event", "download", "file", file.Platform+"/"+file.Name, "error", err)
		http.Error(w, "this download is being replaced; try again later", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+file.Name+`"`)
	w.Header().Set("ETag", `"`+file.SHA256+`"`)
	w.Header().Set("Cache-Control", "no-cache")
	serveContent(w, r, file.Name, file.modTime, f) // closes f
}

package web

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"onramp.dev/onramp/portal"
)

// The web pages for people: the start page an email's link opens, and a
// public help page. Plain server-rendered HTML, no script: they work with
// JavaScript off, and their CSP forbids any.

//go:embed templates/*.html templates/page.css
var pageFiles embed.FS

var pageTemplates = template.Must(template.New("").Funcs(template.FuncMap{"size": humanSize}).ParseFS(pageFiles, "templates/*.html"))

// humanSize writes a file's size for people: 12.3 MB.
func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// pageCSS is served at /assets/page.css: a style sheet of our own is what
// a CSP without 'unsafe-inline' allows.
var pageCSS, _ = pageFiles.ReadFile("templates/page.css")

// pageRoutes serves the pages, the style sheet and the downloads. The
// pages link relatively, so that they work behind a proxy that serves the
// service under a path (https://example.com/onramp/start).
func (h *handler) pageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /start", h.handleStartPage)
	mux.HandleFunc("GET /help", h.handleHelpPage)
	mux.HandleFunc("GET /reset", h.handleResetPage)
	mux.HandleFunc("POST /reset", h.handleResetForm)
	mux.HandleFunc("GET /email-change", h.handleEmailChangePage)
	mux.HandleFunc("POST /email-change", h.handleEmailChangeForm)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "help", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /assets/page.css", func(w http.ResponseWriter, r *http.Request) {
		pageHeaders(w)
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Write(pageCSS)
	})
	mux.HandleFunc("GET /downloads/{platform}/{name}", h.handleDownload)
}

// pageHeaders are the security headers of every page: no script at all,
// no framing, no sniffing, nothing kept in caches (a start page names
// its person), no referrer carrying a token elsewhere.
func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// pageData is what every page's template gets.
type pageData struct {
	Title     string
	Lang      string
	T         map[string]string
	Switch    []langLink // the other languages, as links to this page
	Publisher string
	Support   portal.ProfileSupport
	ShowPhone bool
	// The start page's.
	User      *portal.User
	Company   string
	OpenURL   template.URL // onramp://signin?…
	Server    string
	Platforms []platformDownloads
	Expires   string
	// The lost-password page's.
	Token      string
	ResetError string
	ResetDone  bool
	// The email change page's: the address the link moves the account to.
	NewEmail string
}

type langLink struct {
	Name string
	Lang string
	Href string
}

func (h *handler) newPageData(r *http.Request, lang string, query url.Values) pageData {
	d := pageData{Lang: lang, T: pageText[lang], Publisher: h.svc.Profile().Publisher, Support: h.svc.Profile().Support}
	for _, l := range []string{"en", "fr"} {
		if l == lang {
			continue
		}
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("lang", l)
		d.Switch = append(d.Switch, langLink{Name: pageText[l]["language"], Lang: l, Href: path.Base(r.URL.Path) + "?" + q.Encode()})
	}
	return d
}

func (h *handler) handleStartPage(w http.ResponseWriter, r *http.Request) {
	pageHeaders(w)
	token := r.URL.Query().Get("t")
	p, err := h.svc.StartPage(r.Context(), token)
	if err != nil {
		// Unknown, expired, replaced or mistyped: one answer for all,
		// which does not even repeat the token.
		d := h.newPageData(r, pageLang(r), url.Values{})
		d.Title = d.T["badTitle"]
		h.renderPage(w, http.StatusNotFound, "badlink.html", d)
		return
	}
	// The page speaks as the emails do: the user's language, else the
	// contract's, unless the reader chose another on the page.
	u, lang := p.User, p.Language
	if l := r.URL.Query().Get("lang"); pageText[l] != nil {
		lang = l
	}
	d := h.newPageData(r, lang, url.Values{"t": {token}})
	d.Title, d.User, d.Company, d.Server = d.T["startTitle"], u, p.Contract.Company, h.svc.PublicURL
	d.OpenURL = template.URL(OpenInOnrampURL(h.svc.PublicURL, u.ID))
	d.Platforms = forPlatform(h.svc.Releases(), platformOf(r.UserAgent()))
	if exp := u.TemporaryPasswordExpires(); !exp.IsZero() && u.MustChangePassword {
		d.Expires = exp.UTC().Format("2006-01-02 15:04 MST")
	}
	h.renderPage(w, http.StatusOK, "start.html", d)
}

// OpenInOnrampURL is the link that opens Onramp at sign-in on server with
// the user ID filled in. It never carries a password.
func OpenInOnrampURL(server, userID string) string {
	return "onramp://signin?server=" + url.QueryEscape(server) + "&user=" + url.QueryEscape(userID)
}

func (h *handler) handleHelpPage(w http.ResponseWriter, r *http.Request) {
	pageHeaders(w)
	d := h.newPageData(r, pageLang(r), url.Values{})
	d.Title = d.T["helpTitle"]
	h.renderPage(w, http.StatusOK, "help.html", d)
}

func (h *handler) renderPage(w http.ResponseWriter, status int, name string, d pageData) {
	var b bytes.Buffer
	if err := pageTemplates.ExecuteTemplate(&b, name, d); err != nil {
		h.log().Error("page failed", "event", "page", "page", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", d.Lang)
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// pageLang is the page's language: ?lang= when it names one we have,
// else the best of Accept-Language, else English.
func pageLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); pageText[l] != nil {
		return l
	}
	best, bestQ := "en", 0.0
	header := r.Header.Get("Accept-Language")
	if len(header) > 1000 {
		header = header[:1000]
	}
	for i, part := range strings.Split(header, ",") {
		if i >= 32 {
			break
		}
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		base, _, _ := strings.Cut(tag, "-")
		if pageText[base] == nil {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		if q > bestQ {
			best, bestQ = base, q
		}
	}
	return best
}

// platformDownloads are one OS's files, as the start page lists them.
type platformDownloads struct {
	OS    string
	Yours bool // the visitor's OS, as the User-Agent says
	Files []portal.ReleaseFile
}

// forPlatform groups the files by OS, the visitor's first; within an OS,
// installers, then the window, then the command line, then the install
// script and its icon.
func forPlatform(r *portal.Releases, visitor string) []platformDownloads {
	if r == nil {
		return nil
	}
	var out []platformDownloads
	for _, goos := range []string{"windows", "darwin", "linux"} {
		p := platformDownloads{OS: goos, Yours: goos == visitor}
		for _, f := range r.Files {
			if f.OS == goos {
				p.Files = append(p.Files, f)
			}
		}
		if len(p.Files) == 0 {
			continue
		}
		order := map[string]int{"installer": 0, "window": 1, "cli": 2, "script": 3, "icon": 4}
		slices.SortStableFunc(p.Files, func(a, b portal.ReleaseFile) int { return order[a.Kind] - order[b.Kind] })
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b platformDownloads) int {
		switch {
		case a.Yours == b.Yours:
			return 0
		case a.Yours:
			return -1
		}
		return 1
	})
	return out
}

// platformOf reads the visitor's OS from a User-Agent; "" when unknown.
func platformOf(userAgent string) string {
	switch {
	case strings.Contains(userAgent, "Windows"):
		return "windows"
	case strings.Contains(userAgent, "Macintosh") || strings.Contains(userAgent, "Mac OS X"):
		if strings.Contains(userAgent, "iPhone") || strings.Contains(userAgent, "iPad") {
			return ""
		}
		return "darwin"
	case strings.Contains(userAgent, "Linux") && !strings.Contains(userAgent, "Android"):
		return "linux"
	}
	return ""
}

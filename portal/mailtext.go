package portal

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"slices"
	"strings"
	"text/template"
	"time"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/internal/clip"
)

// Every email's words live in templates/mail: for each kind and language,
// KIND.LANG.txt (the subject and the text/plain part, text/template) and
// KIND.LANG.html (the text/html part, html/template, which escapes what
// people typed: a company or a name). common.LANG.* hold what every
// email ends with: help and support contacts.

//go:embed templates/mail/*
var mailFiles embed.FS

// Languages are those emails and pages are written in; the first is the
// default.
var Languages = []string{"en", "fr"}

// mailKinds are the emails the service sends.
var mailKinds = []string{"order_confirmation", "start", "start_existing", "benefits_changed", "caller_changed", "account_changed", "password_reset", "email_change", "email_changed"}

type mailTemplates struct {
	text *template.Template
	html *htmltemplate.Template
}

// mailSet holds every kind in every language, parsed once: a missing or
// broken template stops the service at start, never an email at send.
var mailSet = func() map[string]mailTemplates {
	set := map[string]mailTemplates{}
	for _, lang := range Languages {
		for _, kind := range mailKinds {
			set[kind+"."+lang] = mailTemplates{
				text: template.Must(template.New("").ParseFS(mailFiles, "templates/mail/common."+lang+".txt", "templates/mail/"+kind+"."+lang+".txt")),
				html: htmltemplate.Must(htmltemplate.New("").ParseFS(mailFiles, "templates/mail/common."+lang+".html", "templates/mail/"+kind+"."+lang+".html")),
			}
		}
	}
	return set
}()

// mailData is what an email's templates get. Every name is a name people
// read (the catalog's product names, the company), never an ID, except
// the user ID they sign in with.
type mailData struct {
	Lang    string
	Subject string // for the HTML part's title
	Sender  string // the publisher, or Onramp
	Company string
	Name    string
	UserID  string
	// Admin: a contract manager or software coordinator; RoleName says
	// which, in the email's language.
	Admin    bool
	RoleName string
	Caller   bool
	Advanced bool

	Password string
	Link     string
	Service  string // the service's address, typed at sign-in
	HelpURL  string
	Expires  string

	// Address: the new address of an email change.
	Address string

	ContractID string
	StartDate  string
	EndDate    string
	Started    bool
	Seats      []seatLine

	Products    []string
	Services    []string
	ProductList string
	ServiceList string

	Support    ProfileSupport
	HasContact bool // a contact this person may use is configured
	ShowPhone  bool // the support phone, for designated callers of advanced contracts
	MayCall    bool // a designated caller who holds phone_support, on an advanced contract
	WebSupport bool // holds web_support: web and email support are theirs
}

type seatLine struct {
	Name  string
	Seats int
}

// benefitNames are the benefits as people read them.
var benefitNames = map[string]map[catalog.Benefit]string{
	"en": {catalog.BenefitDownload: "software downloads", catalog.BenefitInstall: "installation with Onramp",
		catalog.BenefitWebSupport: "web and email support", catalog.BenefitPhoneSupport: "phone support"},
	"fr": {catalog.BenefitDownload: "téléchargement des logiciels", catalog.BenefitInstall: "installation avec Onramp",
		catalog.BenefitWebSupport: "support en ligne et par e-mail", catalog.BenefitPhoneSupport: "support téléphonique"},
}

var roleNames = map[string]map[Role]string{
	"en": {RoleManager: "contract manager", RoleCoordinator: "software coordinator", RoleUser: "user"},
	"fr": {RoleManager: "responsable de contrat", RoleCoordinator: "coordinateur logiciel", RoleUser: "utilisateur"},
}

var monthNames = map[string][]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
}

// mailDate writes a day as people of lang write it: 7 December 2026, 7 décembre 2026.
func mailDate(lang string, t time.Time) string {
	t = t.UTC()
	day := fmt.Sprint(t.Day())
	if lang == "fr" && t.Day() == 1 {
		day = "1er" // le 1er mars
	}
	return fmt.Sprintf("%s %s %d", day, monthNames[lang][t.Month()-1], t.Year())
}

// mailTime is mailDate with the time of day, in UTC.
func mailTime(lang string, t time.Time) string {
	t = t.UTC()
	if lang == "fr" {
		return mailDate(lang, t) + " à " + t.Format("15:04") + " (UTC)"
	}
	return mailDate(lang, t) + ", " + t.Format("15:04") + " UTC"
}

// joinWords lists names as a sentence does: A, B and C.
func joinWords(lang string, words []string) string {
	and := map[string]string{"en": " and ", "fr": " et "}[lang]
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + and + words[len(words)-1]
}

// userLanguage is the language of u's emails and pages: their own, else
// their contract's, else English.
func userLanguage(u *User, c *Contract) string {
	if u != nil && slices.Contains(Languages, u.Language) {
		return u.Language
	}
	return contractLanguage(c)
}

// contractLanguage is a contract's language, English when it has none.
func contractLanguage(c *Contract) string {
	if c != nil && slices.Contains(Languages, c.Language) {
		return c.Language
	}
	return Languages[0]
}

// checkLanguage refuses a language emails are not written in ("" is
// allowed where empty means "the contract's").
func checkLanguage(field, v string, emptyOK bool) *api.FieldError {
	if (v == "" && emptyOK) || slices.Contains(Languages, v) {
		return nil
	}
	e := fieldError(field, api.FieldBadLanguage, fmt.Sprintf("language %q: want %s", clip.Text(v, 20), strings.Join(Languages, " or ")))
	e.Value = clip.Text(v, 20)
	return e
}

// mailFor fills what every email to u of contract c says: their names,
// the company, their products and services by name, and the support
// contacts they may use.
func (s *Service) mailFor(c *Contract, u *User) *mailData {
	lang := userLanguage(u, c)
	d := &mailData{Lang: lang, Sender: s.profile.Publisher, Company: c.Company, Advanced: c.Plan == PlanAdvanced,
		Service: s.PublicURL, HelpURL: s.PublicURL + "/help", Support: s.profile.Support, ContractID: c.ID}
	if lang != Languages[0] {
		d.HelpURL += "?lang=" + lang
	}
	if d.Sender == "" {
		d.Sender = "Onramp"
	}
	if u != nil {
		d.Name, d.UserID, d.Admin, d.Caller = u.Name, u.ID, u.Role.IsAdmin(), u.Caller
		d.RoleName = roleNames[lang][u.Role]
		for _, p := range u.Products {
			d.Products = append(d.Products, s.productName(p))
		}
		// The services they can use: download for admins by role, phone
		// support only for callers who may call.
		for _, b := range rightsOf(u, c).Services() {
			if n := benefitNames[lang][b]; n != "" {
				d.Services = append(d.Services, n)
			}
		}
		d.ProductList, d.ServiceList = joinWords(lang, d.Products), joinWords(lang, d.Services)
	}
	sup := d.Support
	if u != nil {
		r := rightsOf(u, c)
		d.MayCall, d.WebSupport = r.PhoneSupport(), r.WebSupport()
	}
	d.ShowPhone = d.MayCall && sup.Phone != ""
	d.HasContact = sup.Web != "" || sup.Email != "" || d.ShowPhone
	return d
}

// productName is a product's name in the catalog (its ID only when the
// catalog no longer lists it).
func (s *Service) productName(id string) string {
	if s.catalog != nil {
		if p, ok := s.catalog.Product(id); ok && p.Name != "" {
			return p.Name
		}
	}
	return id
}

// renderEmail writes an email of kind to addr from its templates.
func renderEmail(kind, to string, d *mailData) (Email, error) {
	t, ok := mailSet[kind+"."+d.Lang]
	if !ok {
		return Email{}, fmt.Errorf("no %s email in language %q", kind, d.Lang)
	}
	var subject, text, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&subject, "subject", d); err != nil {
		return Email{}, fmt.Errorf("%s email: %w", kind, err)
	}
	// One line; not strings.Fields, which would take the non-breaking
	// spaces French puts before a colon.
	d.Subject = strings.TrimSpace(strings.NewReplacer("\r", " ", "\n", " ", "\t", " ").Replace(subject.String()))
	if err := t.text.ExecuteTemplate(&text, "body", d); err != nil {
		return Email{}, fmt.Errorf("%s email: %w", kind, err)
	}
	if err := t.html.ExecuteTemplate(&html, "page", d); err != nil {
		return Email{}, fmt.Errorf("%s email: %w", kind, err)
	}
	return Email{To: to, Kind: kind, Subject: d.Subject, Body: text.String(), HTML: html.String()}, nil
}

// orderConfirmation is the email that tells the manager the order is
// recorded, that the subscription is being prepared, and when the start
// email comes.
func (s *Service) orderConfirmation(c *Contract, m *User) (Email, error) {
	d := s.mailFor(c, m)
	d.Products, d.Services, d.ProductList, d.ServiceList = nil, nil, "", ""
	d.StartDate, d.EndDate, d.Started = mailDate(d.Lang, c.Starts), mailDate(d.Lang, c.Ends), c.Started != nil
	for _, p := range c.Products {
		d.Seats = append(d.Seats, seatLine{Name: s.productName(p.Product), Seats: p.Seats})
	}
	return renderEmail("order_confirmation", m.Email, d)
}

// startEmail is the email with u's user ID, temporary password and the
// link to their start page, and what became available to them. The link
// carries a token of its own, never the password: it shows the page and
// can do nothing else.
func (s *Service) startEmail(c *Contract, u *User, temp string) (Email, error) {
	link, l := s.startLink(u)
	d := s.mailFor(c, u)
	d.Password, d.Link, d.Expires = temp, link, mailTime(d.Lang, u.tempExpires)
	e, err := renderEmail("start", u.Email, d)
	e.link, e.userID, e.contractID = l, u.ID, c.ID
	return e, err
}

// startExistingEmail tells a person who has an account already that
// they now belong to contract c too: their user ID and the start page's
// link, and no password (theirs stays what it is).
func (s *Service) startExistingEmail(c *Contract, u *User) (Email, error) {
	link, l := s.noticeLink(u)
	d := s.mailFor(c, u)
	d.Link = link
	e, err := renderEmail("start_existing", u.Email, d)
	e.link, e.userID, e.contractID = l, u.ID, c.ID
	return e, err
}

// noticeDelay is how long a notice of a change waits by default, so that
// the changes of the next minutes go out with it as one email.
const noticeDelay = 2 * time.Minute

// noticeEmail tells u (as they are after a change) what changed: kind is
// benefits_changed or caller_changed. It waits the notice delay, and a
// later notice replaces it while it waits (written as account_changed,
// only then, when the two differ in kind).
func (s *Service) noticeEmail(c *Contract, u *User, kind string) (Email, error) {
	link, l := s.noticeLink(u)
	d := s.mailFor(c, u)
	d.Link = link
	e, err := renderEmail(kind, u.Email, d)
	e.link, e.userID, e.contractID, e.notBefore, e.toggle = l, u.ID, c.ID, s.now().Add(s.noticeWait()), kind == "caller_changed"
	e.merged = func() (Email, error) {
		m, err := renderEmail("account_changed", u.Email, d)
		m.link, m.userID, m.contractID, m.notBefore = e.link, e.userID, e.contractID, e.notBefore
		return m, err
	}
	return e, err
}

func (s *Service) noticeWait() time.Duration {
	if s.noticeDelay > 0 {
		return s.noticeDelay
	}
	if s.noticeDelay < 0 {
		return time.Nanosecond // WithNoticeDelay(0): at once
	}
	return noticeDelay
}

// WithNoticeDelay sets how long a notice of a change to a user waits
// before it goes (default 2 minutes); changes to the user meanwhile make
// one email with it. 0 sends each notice at once.
func WithNoticeDelay(d time.Duration) Option {
	return func(s *Service) {
		s.noticeDelay = d
		if d <= 0 {
			s.noticeDelay = -1
		}
	}
}

// noticeLink is a start page link for a notice: the page offers Onramp
// and opens it, without a password.
func (s *Service) noticeLink(u *User) (string, *pageLink) {
	token, hash := newToken()
	return s.PublicURL + "/start?t=" + token, &pageLink{hash: hash, userID: u.ID, contractID: u.ContractID, purpose: purposeStart, expires: s.now().UTC().Add(pageTokenTTL)}
}

// passwordResetEmail is the email with the link that lets u choose a new
// password, until expires.
func (s *Service) passwordResetEmail(ctx context.Context, u User, link string, expires time.Time) (Email, error) {
	c, err := s.store.Contract(ctx, u.ContractID)
	if err != nil {
		return Email{}, err
	}
	d := s.mailFor(c, &u)
	d.Link, d.Expires = link, mailTime(d.Lang, expires)
	return renderEmail("password_reset", u.Email, d)
}

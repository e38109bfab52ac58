package ui

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/profile"
)

// firstRunScreen asks for the account service's address when nothing
// says which service this is (no publisher profile, no saved session):
// the address is checked (its form, that it answers, that it is an Onramp
// service whose catalog this computer trusts) before anyone types a
// password into it.
type firstRunScreen struct {
	a       *Assistant
	address *entry
	connect *button
	demo    *button // nil in a build without the demo
	err     *errorLabel
	warning *errorLabel // an onramp:// link's service, not yet confirmed; nil without
	status  *widget.Label
}

func (a *Assistant) firstRun() fyne.CanvasObject {
	s := &firstRunScreen{a: a}
	a.first = s
	s.address = newEntry()
	s.address.SetPlaceHolder("https://accounts.example.com")
	s.address.OnSubmitted = func(string) { s.submit() }
	s.connect = newButton(lang.L("Continue"), s.submit)
	s.connect.Importance = widget.HighImportance
	s.err = newErrorLabel()
	s.status = widget.NewLabel("")
	intro := wrapped(lang.L("Onramp signs in to your software publisher's account service. Type its address: it is in your start email, or ask your IT department."))
	parts := []fyne.CanvasObject{heading(lang.L("Welcome to Onramp")), intro}
	if link := a.cfg.LinkServer; link != "" {
		// A link can come from anyone: the person confirms the service
		// before anything, a password above all, is sent to it.
		s.address.SetText(link)
		s.warning = newErrorLabel()
		s.warning.SetText(lang.L("This link asks you to sign in to {{.Host}}. Continue only if your company uses this service.", map[string]any{"Host": hostOf(link)}))
		parts = append(parts, s.warning)
	}
	parts = append(parts,
		widget.NewForm(widget.NewFormItem(lang.L("Service address"), container.NewVBox(s.address, s.err))),
		container.NewHBox(s.connect), s.status)
	if a.cfg.TryDemo != nil {
		// A quiet button, not a hyperlink: it reads as a link and the
		// keyboard reaches it like every other action.
		s.demo = newButton(lang.L("Try the demo"), s.tryDemo)
		s.demo.Importance = widget.LowImportance
		parts = append(parts, container.NewHBox(s.demo))
	}
	a.firstFocus = s.address
	return container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
}

// errNotOnramp: the address answers, but not as an Onramp account service.
var errNotOnramp = errors.New("not an Onramp account service")

func (s *firstRunScreen) submit() {
	addr := strings.TrimSpace(s.address.Text)
	s.err.SetText("")
	if addr != "" && !strings.Contains(addr, "://") {
		addr = "https://" + addr // people type the host name alone
	}
	addr = strings.TrimSuffix(addr, "/")
	if err := profile.CheckServiceURL(addr); err != nil {
		s.err.SetText(serviceURLText(addr, err))
		s.a.win.Canvas().Focus(s.address)
		return
	}
	s.connect.Disable()
	s.status.SetText(lang.L("Checking the service…"))
	s.a.background(func(ctx context.Context) func() {
		c, err := s.a.cfg.Connect(addr)
		if err == nil {
			err = s.probe(ctx, c)
		}
		return func() {
			s.connect.Enable()
			s.status.SetText("")
			if err != nil {
				s.err.SetText(probeText(addr, err))
				return
			}
			s.a.cfg.Client = c
			s.a.cfg.LinkServer = "" // confirmed (or replaced by what was typed)
			s.a.show(s.a.welcome)
		}
	})
}

// probe asks the service for its signed catalog, a route every Onramp
// account service answers without sign-in, and opens it with the keys
// this computer trusts: an untrusted key is refused here, before a
// password is typed (the first sign-in changes it on the service).
func (s *firstRunScreen) probe(ctx context.Context, c *account.Client) error {
	signed, err := c.SignedCatalog(ctx)
	var pe *account.ProblemError
	if errors.As(err, &pe) || errors.Is(err, account.ErrRedirect) {
		return errNotOnramp
	}
	if err != nil {
		return err
	}
	if _, err := catalog.ReadEnvelope(signed); err != nil {
		return errNotOnramp
	}
	_, err = s.a.cfg.OpenCatalog(signed)
	return err
}

// serviceURLText says what is wrong with an address's form.
func serviceURLText(addr string, err error) string {
	if addr == "" {
		return lang.L("Type the service's address, for example https://accounts.example.com.")
	}
	if u, perr := url.Parse(addr); perr == nil && u.Scheme == "http" {
		return lang.L("This address uses plain http: Onramp needs https (plain http only for a service on this computer).")
	}
	return lang.L("This is not a web address: type it as https://accounts.example.com.") + "\n" + err.Error()
}

// probeText says why an address cannot be used.
func probeText(addr string, err error) string {
	switch {
	case errors.Is(err, errNotOnramp):
		return lang.L("{{.Address}} answers, but it is not an Onramp account service. Check the address in your start email.", map[string]any{"Address": addr})
	case errors.Is(err, catalog.ErrUntrustedKey):
		return lang.L("{{.Address}} is an Onramp service, but this computer does not trust the key that signs its product list, so Onramp will not use it. Ask your IT department to install the publisher profile for Onramp, or to add the publisher's key to trusted_keys.", map[string]any{"Address": addr}) + "\n" + err.Error()
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) {
		return lang.L("{{.Address}} cannot be reached. Check the address and the network connection, then try again.", map[string]any{"Address": addr})
	}
	return errorText(err)
}

// tryDemo starts the embedded demo service and signs in to it from the
// welcome screen, with the demo's credentials shown.
func (s *firstRunScreen) tryDemo() {
	s.status.SetText(lang.L("Starting the demo…"))
	s.a.background(func(ctx context.Context) func() {
		d, err := s.a.cfg.TryDemo(ctx)
		return func() {
			s.status.SetText("")
			if err != nil {
				s.a.showError(err)
				return
			}
			s.a.cfg.Client, s.a.cfg.OpenCatalog, s.a.cfg.Demo, s.a.cfg.CLI = d.Client, d.OpenCatalog, d.Demo, d.CLI
			s.a.cfg.SaveSession, s.a.cfg.ForgetSession, s.a.cfg.Publisher = nil, nil, ""
			s.a.show(s.a.welcome)
		}
	})
}

// Package ui is Onramp's window: the Fyne screens an end user walks
// through (sign in, products, system check, download, install) and the
// admin screens (users, callers, deployments), with profile, support and
// FAQ. It holds no business logic: every action on a product calls setup
// (the core the CLI calls too), the others account, off the UI goroutine,
// and come back through fyne.Do. cmd/assistant builds the Config; tests drive the screens with
// Fyne's test driver against the real embedded account service.
package ui

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/profile"
	"onramp.dev/onramp/setup"
)

// Config is what the window needs; cmd/assistant builds it.
type Config struct {
	// Client talks to the account service (with the keyring, or the
	// demo's in-memory store).
	Client *account.Client
	// OpenCatalog verifies the signed catalog the service serves against
	// the keys this assistant trusts.
	OpenCatalog func(signed []byte) (*catalog.Catalog, error)
	Platform    catalog.Platform
	CacheDir    string // the package cache, shared with the CLI
	RateLimit   int64  // bytes per second for downloads; 0 for none
	TargetRoot  string // per-user install root; products go in TargetRoot/ID
	StateDir    string // installer receipts ("" = the installer's default)
	Demo        *Demo  // nil unless the embedded demo service runs
	SignedIn    bool   // Client holds a resumed session: skip the sign-in
	Language    string // "en", "fr", or "" for the system's
	// CLI is how the assistant is invoked in the commands shown to IT
	// ("assistant", or "assistant --demo").
	CLI string

	// Publisher is the publisher profile's name ("" without a profile):
	// the window says whose service this is.
	Publisher string
	// Support is the publisher profile's support contacts, shown at
	// sign-in; nil without a profile.
	Support *profile.Support
	// Connect makes a client of the service at an address the person
	// types, when Client is nil (nothing says which service this is).
	Connect func(server string) (*account.Client, error)
	// SaveSession remembers the session signed in, the one the command
	// line uses too, so that the next launch resumes it; ForgetSession
	// forgets it at sign-out. Nil in the demo.
	SaveSession   func(server, user string) error
	ForgetSession func() error
	// SavedContract is the contract user on server chose last (""
	// for none), and SaveContract remembers a new choice ("" forgets it),
	// with the saved session the command line shares. Nil in the demo:
	// the window's choice lasts as long as it does.
	SavedContract func(server, user string) string
	SaveContract  func(server, user, contract string) error
	// TryDemo starts the embedded demo service, offered on the first
	// screen; nil in a build without the demo.
	TryDemo func(ctx context.Context) (*DemoService, error)
	// SignInUser fills the sign-in's user ID (from an onramp:// link).
	SignInUser string
	// LinkServer is an onramp:// link's service that neither a publisher
	// profile nor the saved session names: the first screen shows it with
	// a warning, and nothing is sent to it before the person presses
	// Continue. Client is nil then.
	LinkServer string
	// RefusedLink is an onramp:// link's service that is not the
	// publisher profile's: the window says it does not use it.
	RefusedLink string
	// WatchEvery is how often the products page looks for changes made
	// outside the window (the command line installing a product): 0 for
	// every 2 s, negative for never (tests that change states themselves).
	// It looks at once, too, when the window comes to the foreground.
	WatchEvery time.Duration
}

// DemoService is the demo started from the first screen: the window
// switches to it.
type DemoService struct {
	Client      *account.Client
	OpenCatalog func(signed []byte) (*catalog.Catalog, error)
	Demo        *Demo
	CLI         string
}

// Demo is what the welcome screen shows when the demo service runs.
type Demo struct {
	Company, UserID, Password, StartEmail string
}

// Assistant is the window and the session it shows.
type Assistant struct {
	cfg Config
	app fyne.App
	win fyne.Window

	ctx    context.Context
	cancel context.CancelFunc
	ops    sync.WaitGroup // work in flight, for Wait
	uiMu   sync.Mutex     // one hop to the UI goroutine at a time (see onUI)
	// themeChanges counts the settings' changes (theme, variant, scale):
	// a tab's screen shown again after one is refreshed whole.
	themeChanges atomic.Int64

	// Set on the UI goroutine only.
	me     *account.Me
	cat    *catalog.Catalog
	screen func() fyne.CanvasObject // rebuilds the current screen (language switch)
	tab    string                   // the main view's selected tab
	setup  *setupScreen             // the product being set up, if any
	setups map[string]*setupScreen  // every setup begun, by product: a download goes on while the user is elsewhere
	// core runs every action, with the catalog from the service; states
	// is each product's state on this computer, from it.
	core   *setup.Setup
	states map[string]setup.ProductState
	tabs   *container.AppTabs

	// runs is each product's one action from its card, running or
	// stopped by the check (to show why).
	runs map[string]*productRun
	// statesStamp is what the states on show were computed from
	// (setup.Stamp); watched is the core watchStates follows.
	statesStamp string
	watched     *setup.Setup
	watchers    sync.WaitGroup // watchStates' goroutines, for tests to see them end
	lookNow     chan struct{}  // the window came to the foreground: watchStates looks at once
	// Tests: onWatched is called when watchStates drew new states,
	// runProgress after a one action's report is shown.
	onWatched   func()
	runProgress func(setup.Event)

	// cat's envelope as the service served it: deployment folders carry
	// it for the seats to verify. Set with cat.
	signedCat []byte

	// The screens on show, for tests to tap.
	signin       *signInScreen
	first        *firstRunScreen
	blocked      *blockedScreen
	setupButtons map[string]*button
	cards        map[string]*productCard
	said         map[string]string // the last action's outcome per product, on its card
	users        *usersScreen
	callers      *callersScreen
	deploy       *deployScreen
	profile      *profileScreen
	lastCLI      string         // the last command shown, for tests
	firstFocus   fyne.Focusable // the screen being shown asks for the keyboard here
	generation   int            // counts the window's changes to users, so tabs know to read again
	seatsSeen    int            // the generation when the products tab last counted the seats used
	// productsStale: the products' states changed while another tab was
	// shown; the products tab is built again when shown.
	productsStale bool
	serviceLabel  *widget.Label // the service in use, in the top bar
	langSel       string        // the language switch: "", "en" or "fr"
	speaks        string        // the language spoken: "en" or "fr"
	variant       string        // the theme switch: "", "light" or "dark"

	// The contract chosen for a person in several ("" for none chosen:
	// the service's, the person's one contract), the picker when shown,
	// and the top bar's switch.
	contract    string
	picker      *contractPicker
	contractSel *widget.Select
}

// NewApp is the Fyne app the window runs in, named id. It declares that
// every change to the window from another goroutine goes through fyne.Do
// (Assistant.onUI and background): without that, Fyne checks the calling
// goroutine on every refresh by formatting a stack trace, which took 44%
// of a tab switch's time with 5,000 users.
func NewApp(id, version string) fyne.App {
	app.SetMetadata(fyne.AppMetadata{ID: id, Name: "Onramp", Version: version,
		Icon: fyne.NewStaticResource("icon.png", assets.IconPNG()), Migrations: map[string]bool{"fyneDo": true}})
	return app.NewWithID(id)
}

// New makes the assistant's window; Show it, or drive it in tests.
func New(app fyne.App, cfg Config) *Assistant {
	if cfg.CLI == "" {
		cfg.CLI = "assistant"
	}
	if cfg.Platform == "" {
		cfg.Platform = catalog.CurrentPlatform()
	}
	a := &Assistant{cfg: cfg, app: app, langSel: cfg.Language, speaks: setLanguage(cfg.Language), setups: map[string]*setupScreen{},
		runs: map[string]*productRun{}, lookNow: make(chan struct{}, 1)}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	// Back from a terminal where the command line installed something,
	// the person sees it at once, not at the next look.
	app.Lifecycle().SetOnEnteredForeground(a.lookOutside)
	app.Settings().AddListener(func(fyne.Settings) { a.themeChanges.Add(1) })
	a.win = app.NewWindow("Onramp")
	a.win.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG()))
	a.win.Resize(fyne.NewSize(980, 680))
	a.win.SetOnClosed(a.cancel)
	applyTheme(app, "")
	if cfg.Client == nil {
		a.show(a.firstRun)
	} else {
		a.show(a.welcome)
	}
	if cfg.SignedIn {
		a.loadAccount()
	}
	if cfg.RefusedLink != "" {
		a.tell(lang.L("Link not used"), theme.WarningIcon(), lang.L("This link asks you to sign in to {{.Link}}, but this Onramp is set up for {{.Service}}: Onramp does not use the link's service.",
			map[string]any{"Link": hostOf(cfg.RefusedLink), "Service": hostOf(a.serviceAddress())})).Show()
	}
	return a
}

// hostOf is an address's host, to name a service in a sentence.
func hostOf(addr string) string {
	if u := parseURL(addr); u != nil && u.Host != "" {
		return u.Host
	}
	return addr
}

// serviceAddress is the address of the service in use, "" before one is
// chosen.
func (a *Assistant) serviceAddress() string {
	if a.cfg.Client == nil {
		return ""
	}
	return a.cfg.Client.Server()
}

// options are the core's settings from the Config.
func (a *Assistant) options() setup.Options {
	return setup.Options{CacheDir: a.cfg.CacheDir, StateDir: a.cfg.StateDir, TargetRoot: a.cfg.TargetRoot, Platform: a.cfg.Platform, RateLimit: a.cfg.RateLimit}
}

// Window is the assistant's window.
func (a *Assistant) Window() fyne.Window { return a.win }

// Wait blocks until every background operation started so far has
// finished and put its result on screen. Tests use it instead of sleeping.
func (a *Assistant) Wait() { a.ops.Wait() }

// background runs work off the UI goroutine, then apply on it. The window
// never waits on the network, the disk or a probe.
func (a *Assistant) background(work func(ctx context.Context) func()) {
	a.ops.Add(1)
	go func() {
		defer a.ops.Done()
		if apply := work(a.ctx); apply != nil {
			a.onUI(apply)
		}
	}()
}

// onUI runs f on the UI goroutine and waits for it. The real driver runs
// such calls one at a time on its thread; Fyne's test driver runs them
// inline on the caller's goroutine, so the mutex keeps them one at a time
// there too (and the race detector quiet).
func (a *Assistant) onUI(f func()) {
	a.uiMu.Lock()
	defer a.uiMu.Unlock()
	fyne.DoAndWait(f)
}

// show makes screen the window's content; it is rebuilt when the language
// changes.
func (a *Assistant) show(screen func() fyne.CanvasObject) {
	a.screen = screen
	a.firstFocus = nil
	a.win.SetContent(inOrder(a.topBar(), nil, nil, nil, screen()))
	// The first field has the keyboard at once.
	if a.firstFocus != nil {
		a.win.Canvas().Focus(a.firstFocus)
	}
}

// topBar holds the language and theme switches, on every screen.
func (a *Assistant) topBar() fyne.CanvasObject {
	langs := []string{lang.L("System language"), "English", "Français"}
	codes := []string{"", "en", "fr"}
	langSel := fitSelect(widget.NewSelect(langs, nil))
	for i, c := range codes {
		if c == a.langSel {
			langSel.SetSelectedIndex(i)
		}
	}
	langSel.OnChanged = func(string) {
		if i := langSel.SelectedIndex(); i >= 0 {
			a.switchLanguage(codes[i])
		}
	}
	themes := []string{lang.L("System theme"), lang.L("Light"), lang.L("Dark")}
	variants := []string{"", "light", "dark"}
	themeSel := fitSelect(widget.NewSelect(themes, nil))
	themeSel.SetSelectedIndex(slices.Index(variants, a.variant))
	themeSel.OnChanged = func(string) {
		if i := themeSel.SelectedIndex(); i >= 0 {
			a.variant = variants[i]
			applyTheme(a.app, a.variant)
		}
	}
	title := widget.NewLabelWithStyle("Onramp", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	var service []fyne.CanvasObject
	if name := a.serviceName(); name != "" {
		// The service in use is on every screen, in the room the switches
		// leave (shortened with an ellipsis rather than widening the window).
		a.serviceLabel = widget.NewLabel(lang.L("Service: {{.Name}}", map[string]any{"Name": name}))
		a.serviceLabel.Truncation = fyne.TextTruncateEllipsis
		service = append(service, a.serviceLabel)
	}
	right := container.NewHBox(langSel, themeSel)
	a.contractSel = nil
	if sw := a.contractSwitch(); sw != nil {
		right.Objects = append([]fyne.CanvasObject{sw}, right.Objects...)
	}
	if a.me != nil {
		right.Add(newButton(lang.L("Sign out"), a.signOut))
	}
	return container.NewVBox(inOrder(nil, nil, title, right, service...), widget.NewSeparator())
}

// switchLanguage speaks "en", "fr" or the system's language ("") and
// redraws the screen in it.
func (a *Assistant) switchLanguage(code string) {
	if code == a.langSel {
		return
	}
	a.langSel = code
	a.speaks = setLanguage(code)
	a.show(a.screen)
}

// serviceName says which account service the window talks to: the
// publisher's name and host with a profile, the host alone without, ""
// before one is chosen.
func (a *Assistant) serviceName() string {
	if a.cfg.Client == nil {
		return ""
	}
	host := a.cfg.Client.Server()
	if u := parseURL(host); u != nil {
		host = u.Host
	}
	switch {
	case a.cfg.Demo != nil:
		return lang.L("the demo service") // on a loopback port that changes every run
	case a.cfg.Publisher != "":
		return a.cfg.Publisher + " (" + host + ")"
	}
	return host
}

// signOut ends the session, forgets it on this computer, and returns to
// the welcome screen.
func (a *Assistant) signOut() {
	a.pauseDownloads()
	a.background(func(ctx context.Context) func() {
		err := forgetSignedOut(a.cfg.Client.SignOut(ctx), a.cfg.ForgetSession)
		return func() {
			a.showError(err)
			a.resetAccount()
			a.contract = ""
			a.cfg.Client.SetContract("")
			a.show(a.welcome)
		}
	})
}

// forgetSignedOut applies the command line's rules after a sign-out that
// gave err: the session file goes unless the keyring still holds the
// session (ErrNotForgotten: the file lets a second sign-out finish the
// job); every error is kept for the person to read.
func forgetSignedOut(err error, forgetSession func() error) error {
	if errors.Is(err, account.ErrNotForgotten) || forgetSession == nil {
		return err
	}
	return errors.Join(err, forgetSession())
}

// isAdmin: contract managers and software coordinators.
func (a *Assistant) isAdmin() bool {
	return a.me != nil && (a.me.User.Role == "contract_manager" || a.me.User.Role == "software_coordinator")
}

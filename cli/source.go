package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/setup"
)

// sourceFlags choose where products and packages come from: --catalog
// (with --base), else --demo (the embedded account service), else the
// signed-in session's account service.
type sourceFlags struct {
	file string
	base string
	keys keyFiles
}

// register adds --catalog and --key; withBase also adds --base, for the
// commands that download.
func (s *sourceFlags) register(fs *flag.FlagSet, withBase bool) {
	fs.StringVar(&s.file, "catalog", "", "signed catalog `FILE` (default: the signed-in account service's; with --demo the demo's)")
	fs.Var(&s.keys, "key", "also trust the public key in `FILE` (repeatable)")
	if withBase {
		fs.StringVar(&s.base, "base", "", "`URL` that a --catalog file's relative package URLs are resolved against")
	}
}

// open opens the source; close releases it (the demo service stops).
func (s *sourceFlags) open(ctx context.Context, e *env) (src *setup.Source, closeFn func(), err error) {
	open := func(signed []byte) (*catalog.Catalog, error) { return openCatalog(e, signed, s.keys) }
	switch {
	case s.file != "":
		data, err := readLimited(s.file, catalog.MaxEnvelopeBytes)
		if err != nil {
			return nil, nil, err
		}
		src, err := setup.FromFile(data, s.base, open)
		return src, func() {}, err
	case e.demo:
		d, err := startDemo(ctx)
		if err != nil {
			return nil, nil, err
		}
		if err := d.SignIn(ctx); err != nil {
			d.Close()
			return nil, nil, err
		}
		src, err := setup.FromAccount(ctx, d.Client, open)
		if err != nil {
			d.Close()
			return nil, nil, err
		}
		return src, func() { d.Close() }, nil
	}
	c, err := e.signedInClient(ctx)
	if errors.Is(err, errNoSession) {
		return nil, nil, usagef("no catalog: sign in ('%s signin'), or pass --catalog FILE, or --demo", toolName)
	}
	if err != nil {
		return nil, nil, err
	}
	src, err = setup.FromAccount(ctx, c, open)
	return src, func() {}, err
}

// demoStarter starts the embedded demo account service; nil in a build
// without the demo. The demo links the whole service (SQLite, the password
// hashing, the mailer), so this package never imports it: a development
// build registers it with SetDemo, and a release carries none of it.
var demoStarter func(ctx context.Context) (*setup.Demo, error)

// SetDemo registers the demo service's starter (package demo's Start), in
// the builds that link it (cmd/assistant with -tags demo) and in tests.
func SetDemo(start func(ctx context.Context) (*setup.Demo, error)) { demoStarter = start }

// HasDemo reports whether this build can run the demo.
func HasDemo() bool { return demoStarter != nil }

// errNoDemo is --demo in a build without the demo.
var errNoDemo = errors.New("this build of Onramp has no demo (release builds never carry one): build it with -tags demo, for example 'go run -tags demo ./cmd/assistant --demo'")

// startDemo runs the embedded demo account service.
func startDemo(ctx context.Context) (*setup.Demo, error) {
	if demoStarter == nil {
		return nil, usagef("%v", errNoDemo)
	}
	return demoStarter(ctx)
}

// core opens the source and makes the Setup the command runs, with its
// progress printed; close releases the source.
func (s *sourceFlags) core(ctx context.Context, e *env, opt setup.Options, silent bool) (*setup.Setup, func(), error) {
	src, closeFn, err := s.open(ctx, e)
	if err != nil {
		return nil, nil, err
	}
	opt.Progress = e.progress(!silent)
	return setup.New(src, opt), closeFn, nil
}

// signedByDemoKey reports whether a catalog opened in demo mode is the
// demo key's: its deployment's scripts then pass --demo to the seats.
func signedByDemoKey(e *env, signed []byte) bool {
	env, err := catalog.ReadEnvelope(signed)
	if err != nil || !e.demo {
		return false
	}
	for _, s := range env.Signatures {
		if s.KeyID == catalog.KeyID(assets.DemoPublicKey()) {
			return true
		}
	}
	return false
}

// setupErrorCode maps the core's errors to the contract's exit codes.
func setupErrorCode(err error) (int, bool) {
	switch {
	case errors.Is(err, setup.ErrRequirements):
		return exitRequirements, true
	case errors.Is(err, setup.ErrNoBase), errors.Is(err, setup.ErrNoSource), errors.Is(err, setup.ErrNotInCatalog):
		return exitUsage, true
	case errors.Is(err, setup.ErrNotSignedIn):
		return exitAuth, true
	case errors.Is(err, setup.ErrNewerInstalled):
		return exitNewerInstalled, true
	case errors.Is(err, setup.ErrNotEntitled):
		return exitEntitlement, true
	}
	return 0, false
}

// setupHint says what to do about the core's errors, in the CLI's flags.
func setupHint(err error) string {
	var re *setup.RequirementsError
	var ri *setup.RightError
	switch {
	case errors.As(err, &re):
		return fmt.Sprintf("Run '%s check --product %s' for the report and what to do.", toolName, re.Product)
	case errors.As(err, &ri) && ri.Right == "":
		return "Nothing was downloaded. Ask your contract manager or software coordinator to assign you the product."
	case errors.As(err, &ri) && ri.Right == catalog.BenefitInstall:
		return "Nothing was downloaded. Installing, and making a seat key (deploy create --register), need the install benefit: ask your contract manager or software coordinator."
	case errors.As(err, &ri):
		return "Nothing was downloaded. Downloading needs the download benefit (contract managers and software coordinators have it by their role): ask your contract manager."
	case errors.Is(err, setup.ErrNoBase):
		return "Pass --base URL: the address the catalog came from."
	case errors.Is(err, setup.ErrNotInCatalog):
		return "The file's SHA-256 is not in the catalog: pass --product ID@VERSION to say what it is."
	}
	return ""
}

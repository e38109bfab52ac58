package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/catalog"
)

// blockedScreen is a person signed in whose products cannot be shown yet
// (a product list this computer cannot verify, a service that does not
// answer): they stay signed in, are told what to do, and can try again or
// sign out. Never the password form: after a first sign-in the password
// it asks for has already changed on the service.
type blockedScreen struct {
	retry, signOut *button
}

func (a *Assistant) showBlocked(err error) {
	b := &blockedScreen{}
	a.blocked = b
	b.retry = newButton(lang.L("Try again"), a.loadAccount)
	b.retry.Importance = widget.HighImportance
	b.signOut = newButton(lang.L("Sign out"), a.signOut)
	a.show(func() fyne.CanvasObject {
		who := wrapped(lang.L("You are signed in as {{.User}} on {{.Service}}.", map[string]any{"User": a.cfg.Client.User(), "Service": a.serviceName()}))
		what := wrapped(blockedText(err))
		detail := widget.NewAccordion(widget.NewAccordionItem(lang.L("Details for IT"), selectable(err.Error())))
		a.firstFocus = b.retry
		return container.NewVScroll(container.NewPadded(container.NewVBox(heading(lang.L("Signed in")), who, what, detail, container.NewHBox(b.retry, b.signOut))))
	})
}

// blockedText says why the products cannot be shown and what to do.
func blockedText(err error) string {
	if errors.Is(err, catalog.ErrUntrustedKey) {
		return lang.L("Your products cannot be shown: this service's product list is signed with a key this computer does not trust, so Onramp will not use it. Ask your IT department to install the publisher profile for Onramp (or to add the publisher's key to trusted_keys in Onramp's configuration), then press Try again.")
	}
	return errorText(err) + "\n\n" + lang.L("Press Try again when this is fixed.")
}

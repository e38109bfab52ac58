package ui

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/profile"
	"onramp.dev/onramp/setup"
)

// welcome is the first screen: what Onramp does, the demo's credentials
// when the demo runs, and the way to sign in.
func (a *Assistant) welcome() fyne.CanvasObject {
	a.signin = newSignInScreen(a)
	return a.signin.content()
}

// signInScreen asks for the user ID and password of the start email, and
// at the first sign-in for a new password.
type signInScreen struct {
	a                  *Assistant
	user, password     *entry
	signIn             *button
	forgot             *button // "Forgot password?": a link by email
	newPass, newAgain  *entry
	change             *button
	status             *widget.Label // progress: "Signing in…"
	signInErr          *errorLabel   // under the password
	changeErr          *errorLabel   // under the new password
	changeBox, formBox *fyne.Container
	help               *widget.Accordion // "No start email?", with the publisher's support
}

func newSignInScreen(a *Assistant) *signInScreen {
	s := &signInScreen{a: a}
	s.user = newEntry()
	s.user.SetPlaceHolder(lang.L("User ID, from the start email"))
	s.password = newPasswordEntry()
	s.password.SetPlaceHolder(lang.L("Password"))
	s.password.OnSubmitted = func(string) { s.submit() }
	s.signIn = newButton(lang.L("Sign in"), s.submit)
	s.signIn.Importance = widget.HighImportance
	s.forgot = newButton(lang.L("Forgot password?"), s.submitForgot)
	s.forgot.Importance = widget.LowImportance
	s.newPass = newPasswordEntry()
	s.newPass.SetPlaceHolder(lang.L("New password (12 characters or more)"))
	s.newPass.OnSubmitted = func(string) { s.submitChange() }
	s.newAgain = newPasswordEntry()
	s.newAgain.SetPlaceHolder(lang.L("New password again"))
	s.newAgain.OnSubmitted = func(string) { s.submitChange() }
	s.change = newButton(lang.L("Set my password"), s.submitChange)
	s.change.Importance = widget.HighImportance
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.signInErr, s.changeErr = newErrorLabel(), newErrorLabel()
	s.user.SetText(a.cfg.SignInUser)
	return s
}

func (s *signInScreen) content() fyne.CanvasObject {
	a := s.a
	intro := widget.NewLabel(lang.L("Onramp takes you from your order to your software running: sign in with the user ID and temporary password of your start email, check this computer, then download and install your products."))
	intro.Wrapping = fyne.TextWrapWord
	helpText := []fyne.CanvasObject{wrapped(
		lang.L("The start email arrives 12 to 24 hours after the order confirmation. Check your spam folder and that your contract manager used the right address. Still nothing after 24 hours: ask your contract manager to add you again, or contact support."))}
	if sup := a.cfg.Support; sup != nil && *sup != (profile.Support{}) {
		helpText = append(helpText, publisherSupport(a.cfg.Publisher, sup))
	}
	help := widget.NewAccordion(widget.NewAccordionItem(lang.L("No start email?"), container.NewVBox(helpText...)))
	s.help = help
	s.formBox = container.NewVBox(
		widget.NewForm(widget.NewFormItem(lang.L("User ID"), s.user), widget.NewFormItem(lang.L("Password"), container.NewVBox(s.password, s.signInErr))),
		container.NewHBox(s.signIn, cliButton(a, func() string {
			return a.cfg.CLI + " signin --server " + a.cfg.Client.Server() + " --user " + orPlaceholder(s.user.Text, "ID")
		}), s.forgot),
	)
	s.changeBox = container.NewVBox(
		wrapped(lang.L("This is your first sign-in: choose your own password. The temporary one stops working.")),
		widget.NewForm(widget.NewFormItem(lang.L("New password"), s.newPass), widget.NewFormItem(lang.L("Again"), container.NewVBox(s.newAgain, s.changeErr))),
		s.change,
	)
	s.changeBox.Hide()
	parts := []fyne.CanvasObject{heading(lang.L("Welcome to Onramp")), intro}
	if d := a.cfg.Demo; d != nil {
		card := widget.NewCard(lang.L("Demo account"), lang.L("A demo account service runs inside this window, with a contract for {{.Company}}.", map[string]any{"Company": d.Company}),
			container.NewVBox(
				widget.NewForm(
					widget.NewFormItem(lang.L("User ID"), selectable(d.UserID)),
					widget.NewFormItem(lang.L("Temporary password"), selectable(d.Password))),
				newButton(lang.L("Use the demo credentials"), func() {
					s.user.SetText(d.UserID)
					s.password.SetText(d.Password)
				}),
				widget.NewAccordion(widget.NewAccordionItem(lang.L("The start email, as the contract manager received it"), wrapped(d.StartEmail)))))
		parts = append(parts, card)
	}
	parts = append(parts, s.formBox, s.changeBox, s.status, help)
	if a.cfg.Connect != nil && a.cfg.Publisher == "" && a.cfg.Demo == nil {
		other := newButton(lang.L("Use another service"), func() { a.show(a.firstRun) })
		other.Importance = widget.LowImportance
		parts = append(parts, container.NewHBox(other))
	}
	a.firstFocus = s.user
	if s.user.Text != "" {
		a.firstFocus = s.password
	}
	return container.NewVScroll(container.NewPadded(container.NewVBox(parts...)))
}

func (s *signInScreen) submit() {
	user, pass := s.user.Text, s.password.Text
	s.signInErr.SetText("")
	if user == "" || pass == "" {
		s.signInErr.SetText(lang.L("Enter your user ID and password."))
		return
	}
	s.signIn.Disable()
	s.status.SetText(lang.L("Signing in…"))
	s.a.background(func(ctx context.Context) func() {
		err := s.a.cfg.Client.SignIn(ctx, user, pass)
		var saveErr error
		if err == nil {
			saveErr = s.a.saveSession()
		}
		return func() {
			s.signIn.Enable()
			switch {
			case errors.Is(err, account.ErrPasswordChangeRequired):
				s.status.SetText("")
				s.formBox.Hide()
				s.changeBox.Show()
				s.changeBox.Refresh()
				s.a.focusShown(s.newPass)
			case err != nil:
				s.status.SetText("")
				s.signInErr.SetError(err)
			default:
				s.status.SetText("")
				s.a.showError(saveErr)
				s.a.loadAccount()
			}
		}
	})
}

// submitForgot asks the service to email a link to choose a new password
// to the account of the user ID or email typed. The service answers the
// same whether or not there is such an account, and so does the window.
func (s *signInScreen) submitForgot() {
	user := strings.TrimSpace(s.user.Text)
	s.signInErr.SetText("")
	if user == "" {
		s.signInErr.SetText(lang.L("Type your user ID or email address, then choose \"Forgot password?\" again."))
		s.a.focusShown(s.user)
		return
	}
	s.forgot.Disable()
	s.status.SetText(lang.L("Asking for a link…"))
	s.a.background(func(ctx context.Context) func() {
		_, err := s.a.cfg.Client.RequestPasswordReset(ctx, user)
		return func() {
			s.forgot.Enable()
			s.status.SetText("")
			if err != nil {
				s.signInErr.SetError(err)
				return
			}
			s.status.SetText(lang.L("If an account has this user ID or email address, an email with a link to choose a new password is on its way to it. The link works once, for 30 minutes; check your spam folder too. Then sign in here with the new password."))
			showObject(s.status)
		}
	})
}

func (s *signInScreen) submitChange() {
	current, next := s.password.Text, s.newPass.Text
	s.changeErr.SetText("")
	switch {
	case strings.TrimSpace(next) == "":
		// Never sent: the service would refuse it, after a round trip.
		s.changeErr.SetText(lang.L("Choose a new password of 12 characters or more."))
		s.a.focusShown(s.newPass)
		return
	case utf8.RuneCountInString(next) < 12:
		s.changeErr.SetText(lang.L("This password is too short: use 12 characters or more."))
		s.a.focusShown(s.newPass)
		return
	case next != s.newAgain.Text:
		s.changeErr.SetText(lang.L("The two new passwords differ."))
		s.a.focusShown(s.newAgain)
		return
	}
	s.change.Disable()
	s.status.SetText(lang.L("Setting your password…"))
	s.a.background(func(ctx context.Context) func() {
		err := s.a.cfg.Client.ChangePassword(ctx, current, next)
		var saveErr error
		if err == nil {
			saveErr = s.a.saveSession()
		}
		return func() {
			s.change.Enable()
			s.newPass.SetText("")
			s.newAgain.SetText("")
			switch {
			case errors.Is(err, account.ErrPasswordChanged):
				// The temporary password no longer works: back to the
				// sign-in, where the new one does, saying so.
				s.password.SetText("")
				s.status.SetText("")
				s.changeBox.Hide()
				s.formBox.Show()
				s.signInErr.SetText(lang.L("Your new password is set. Sign in with it.") + "\n" + errorText(errors.Unwrap(err)))
				s.a.focusShown(s.password)
			case err != nil:
				s.status.SetText("")
				s.changeErr.SetError(err)
				s.a.focusShown(s.newPass)
			default:
				s.password.SetText("")
				s.status.SetText("")
				s.a.showError(saveErr)
				s.a.loadAccount()
			}
		}
	})
}

// loadAccount fetches who the user is and the signed catalog, then opens
// the main view.
func (a *Assistant) loadAccount() {
	chosen := a.contract
	a.background(func(ctx context.Context) func() {
		me, forgotten, pick, err := a.whoOnContract(ctx, chosen)
		if err == nil && pick {
			return func() {
				a.contract = ""
				a.showContractPicker(account.MembershipsOf(me), forgotten)
			}
		}
		var src *setup.Source
		if err == nil {
			src, err = setup.FromAccount(ctx, a.cfg.Client, a.cfg.OpenCatalog)
		}
		if err != nil {
			return func() {
				if errors.Is(err, account.ErrAuth) {
					// The session ended (a resumed one, expired): sign in again.
					a.show(a.welcome)
					a.signin.signInErr.SetError(err)
					return
				}
				// Signed in, but the products cannot be shown: never back
				// to a password form, which may already refuse.
				a.showBlocked(err)
			}
		}
		contract := a.cfg.Client.Contract()
		return func() {
			a.blocked = nil
			a.contract = contract
			a.me, a.cat, a.signedCat = me, src.Catalog, src.Signed
			a.core = setup.New(src, a.options())
			a.tab = "products"
			a.show(a.mainView)
			a.refreshStates()
		}
	})
}

// saveSession remembers the signed-in session (off the UI goroutine).
func (a *Assistant) saveSession() error {
	if a.cfg.SaveSession == nil {
		return nil
	}
	return a.cfg.SaveSession(a.cfg.Client.Server(), a.cfg.Client.User())
}

// publisherSupport is how to reach the publisher's support, from the
// publisher profile: before sign-in, the only contacts there are.
func publisherSupport(publisher string, sup *profile.Support) fyne.CanvasObject {
	form := widget.NewForm()
	if sup.Web != "" {
		form.Append(lang.L("Web"), widget.NewHyperlink(sup.Web, parseURL(sup.Web)))
	}
	for _, f := range []struct{ label, value string }{{lang.L("Email"), sup.Email}, {lang.L("Phone"), sup.Phone}, {lang.L("Hours"), sup.Hours}} {
		if f.value != "" {
			form.Append(f.label, selectable(f.value))
		}
	}
	title := widget.NewLabelWithStyle(lang.L("Support of {{.Publisher}}", map[string]any{"Publisher": publisher}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewVBox(title, form)
}

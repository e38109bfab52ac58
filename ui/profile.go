package ui

import (
	"context"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// profileScreen shows who is signed in and lets them update their name
// and phone number, and change their password.
type profileScreen struct {
	a           *Assistant
	name, phone *entry
	phoneErr    *errorLabel
	save        *button
	status      *widget.Label
	saveErr     *errorLabel

	current, next, again *entry
	changePass           *button
	passErr              *errorLabel
	passDone             *widget.Label

	// A change of address: asked here, done from a link sent to it.
	newEmail     *entry
	emailForm    *fyne.Container
	changeEmail  *button
	sendEmail    *button
	emailErr     *errorLabel
	emailPending *widget.Label
}

func newProfileScreen(a *Assistant) *profileScreen {
	s := &profileScreen{a: a, name: newEntry(), phone: newEntry(), status: wrapped(""),
		phoneErr: newErrorLabel(), saveErr: newErrorLabel(), passErr: newErrorLabel(), passDone: wrapped("")}
	s.name.SetText(a.me.User.Name)
	s.phone.SetText(a.me.User.Phone) // sent back as it is unless changed
	s.phone.SetPlaceHolder("+33 6 12 34 56 78")
	s.phone.OnChanged = func(string) { s.phoneErr.SetText("") }
	s.save = newButton(lang.L("Save"), s.run)
	s.save.Importance = widget.HighImportance
	s.current, s.next, s.again = newPasswordEntry(), newPasswordEntry(), newPasswordEntry()
	s.next.SetPlaceHolder(lang.L("New password (12 characters or more)"))
	s.again.OnSubmitted = func(string) { s.runPassword() }
	s.changePass = newButton(lang.L("Change my password"), s.runPassword)
	s.newEmail, s.emailErr, s.emailPending = newEntry(), newErrorLabel(), wrapped("")
	s.newEmail.SetPlaceHolder(lang.L("New email address"))
	s.newEmail.OnChanged = func(string) { s.emailErr.SetText("") }
	s.newEmail.OnSubmitted = func(string) { s.runEmail() }
	s.sendEmail = newButton(lang.L("Send a confirmation link"), s.runEmail)
	s.emailForm = container.NewVBox(s.newEmail, s.emailErr, container.NewHBox(s.sendEmail, cliButton(a, func() string {
		return s.a.cfg.CLI + " profile --email " + quoteArg(s.newEmail.Text)
	})))
	s.emailForm.Hide()
	s.changeEmail = newButton(lang.L("Change email address…"), func() {
		s.changeEmail.Hide()
		s.emailForm.Show()
		s.a.focusShown(s.newEmail)
	})
	return s
}

func (s *profileScreen) content() fyne.CanvasObject {
	me := s.a.me
	s.a.firstFocus = s.name
	return container.NewVScroll(container.NewVBox(
		heading(lang.L("Profile")),
		widget.NewForm(
			widget.NewFormItem(lang.L("User ID"), selectable(me.User.ID)),
			widget.NewFormItem(lang.L("Email"), container.NewVBox(widget.NewLabel(me.User.Email),
				container.NewHBox(s.changeEmail), s.emailForm, s.emailPending)),
			widget.NewFormItem(lang.L("Role"), widget.NewLabel(roleName(string(me.User.Role)))),
			widget.NewFormItem(lang.L("Name"), s.name),
			widget.NewFormItem(lang.L("Phone"), container.NewVBox(s.phone, s.phoneErr))),
		container.NewHBox(s.save, cliButton(s.a, func() string {
			return s.a.cfg.CLI + " profile --name " + quoteArg(s.name.Text) + " --phone " + quoteArg(s.phone.Text)
		})),
		s.saveErr, s.status,
		widget.NewSeparator(),
		heading(lang.L("Password")),
		widget.NewForm(
			widget.NewFormItem(lang.L("Current password"), s.current),
			widget.NewFormItem(lang.L("New password"), s.next),
			widget.NewFormItem(lang.L("Again"), container.NewVBox(s.again, s.passErr))),
		container.NewHBox(s.changePass),
		s.passDone))
}

// plausiblePhone accepts what people write in a phone number: digits,
// spaces, dots, dashes, brackets, one leading +; 6 to 20 digits.
func plausiblePhone(p string) bool {
	p = strings.TrimSpace(p)
	if p == "" {
		return true // no number
	}
	digits := 0
	for i, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '.', r == '-', r == '(', r == ')':
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 20
}

func (s *profileScreen) run() {
	s.status.SetText("")
	s.saveErr.SetText("")
	name, phone := strings.TrimSpace(s.name.Text), strings.TrimSpace(s.phone.Text)
	if !plausiblePhone(phone) {
		s.phoneErr.SetText(lang.L("Enter a phone number with digits only, like +33 6 12 34 56 78."))
		s.a.focusShown(s.phone)
		return
	}
	s.a.background(func(ctx context.Context) func() {
		me, err := s.a.cfg.Client.UpdateProfile(ctx, &name, &phone)
		return func() {
			if err != nil {
				s.saveErr.SetError(err)
				return
			}
			s.a.me.User.Name, s.a.me.User.Phone = me.User.Name, me.User.Phone
			s.status.SetText(lang.L("Saved."))
			showObject(s.status)
		}
	})
}

// runEmail asks for the change of address; the service sends the link
// and changes nothing until it is opened.
func (s *profileScreen) runEmail() {
	s.emailErr.SetText("")
	s.emailPending.SetText("")
	addr := strings.TrimSpace(s.newEmail.Text)
	if addr == "" {
		s.emailErr.SetText(lang.L("Enter the new email address."))
		s.a.focusShown(s.newEmail)
		return
	}
	s.sendEmail.Disable()
	s.a.background(func(ctx context.Context) func() {
		sent, err := s.a.cfg.Client.ChangeEmail(ctx, addr)
		return func() {
			s.sendEmail.Enable()
			if err != nil {
				s.emailErr.SetError(err)
				return
			}
			s.newEmail.SetText("")
			s.emailPending.SetText(lang.L("A confirmation link was sent to {{.Email}}; it works until {{.Expires}}. Your address changes only once it is opened.",
				map[string]any{"Email": sent.Email, "Expires": dateTimeText(sent.Expires)}))
			showObject(s.emailPending)
		}
	})
}

func (s *profileScreen) runPassword() {
	s.passErr.SetText("")
	s.passDone.SetText("")
	current, next := s.current.Text, s.next.Text
	switch {
	case current == "":
		s.passErr.SetText(lang.L("Enter your current password."))
		return
	case strings.TrimSpace(next) == "":
		s.passErr.SetText(lang.L("Choose a new password of 12 characters or more."))
		return
	case utf8.RuneCountInString(next) < 12:
		s.passErr.SetText(lang.L("This password is too short: use 12 characters or more."))
		return
	case next != s.again.Text:
		s.passErr.SetText(lang.L("The two new passwords differ."))
		return
	}
	s.changePass.Disable()
	s.a.background(func(ctx context.Context) func() {
		err := s.a.cfg.Client.ChangePassword(ctx, current, next)
		return func() {
			s.changePass.Enable()
			if err != nil {
				s.passErr.SetError(err)
				return
			}
			s.current.SetText("")
			s.next.SetText("")
			s.again.SetText("")
			s.passDone.SetText(lang.L("Your password is changed."))
			showObject(s.passDone)
		}
	})
}

// supportTab shows the contract's support level and how to reach support;
// the phone number only for designated callers.
func (a *Assistant) supportTab() fyne.CanvasObject {
	body := container.NewVBox(heading(lang.L("Support")))
	status := wrapped(lang.L("Loading…"))
	body.Add(status)
	a.background(func(ctx context.Context) func() {
		sup, err := a.cfg.Client.Support(ctx)
		return func() {
			if err != nil {
				status.SetText(errorText(err))
				return
			}
			status.SetText(lang.L("Your contract has {{.Plan}} support.", map[string]any{"Plan": planName(sup.Plan)}))
			// Only the ways this person may use: the service leaves out the others.
			var items []*widget.FormItem
			if sup.Web != "" {
				items = append(items, widget.NewFormItem(lang.L("Web"), widget.NewHyperlink(sup.Web, parseURL(sup.Web))))
			}
			if sup.Email != "" {
				items = append(items, widget.NewFormItem(lang.L("Email"), selectable(sup.Email)))
			}
			items = append(items, widget.NewFormItem(lang.L("Hours"), wrapped(lang.L(sup.Hours))))
			if sup.Phone != "" {
				items = append(items, widget.NewFormItem(lang.L("Phone"), selectable(sup.Phone)))
			}
			body.Add(widget.NewForm(items...))
			for _, n := range strings.Split(sup.Note, ". ") {
				if n != "" {
					body.Add(wrapped(lang.L(n)))
				}
			}
			body.Add(container.NewHBox(cliButton(a, func() string { return a.cfg.CLI + " support" })))
		}
	})
	return container.NewVScroll(body)
}

// faqTab answers the common questions.
func (a *Assistant) faqTab() fyne.CanvasObject {
	acc := widget.NewAccordion()
	body := container.NewVBox(heading(lang.L("Questions and answers")), acc)
	a.background(func(ctx context.Context) func() {
		faqs, err := a.cfg.Client.FAQ(ctx)
		return func() {
			if err != nil {
				body.Add(wrapped(errorText(err)))
				return
			}
			for _, f := range faqs {
				acc.Append(widget.NewAccordionItem(lang.L(f.Question), wrapped(lang.L(f.Answer))))
			}
		}
	})
	return container.NewVScroll(body)
}

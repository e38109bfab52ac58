package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// profileScreen shows who is signed in and lets them update their name
// and phone number.
type profileScreen struct {
	a           *Assistant
	name, phone *widget.Entry
	save        *widget.Button
	status      *widget.Label
}

func newProfileScreen(a *Assistant) *profileScreen {
	s := &profileScreen{a: a, name: widget.NewEntry(), phone: widget.NewEntry(), status: wrapped("")}
	s.name.SetText(a.me.User.Name)
	s.phone.SetText(a.me.User.Phone) // sent back as it is unless changed
	s.save = widget.NewButton(lang.L("Save"), s.run)
	s.save.Importance = widget.HighImportance
	return s
}

func (s *profileScreen) content() fyne.CanvasObject {
	me := s.a.me
	return container.NewVBox(
		heading(lang.L("Profile")),
		widget.NewForm(
			widget.NewFormItem(lang.L("User ID"), selectable(me.User.ID)),
			widget.NewFormItem(lang.L("Email"), widget.NewLabel(me.User.Email)),
			widget.NewFormItem(lang.L("Role"), widget.NewLabel(roleName(string(me.User.Role)))),
			widget.NewFormItem(lang.L("Name"), s.name),
			widget.NewFormItem(lang.L("Phone"), s.phone)),
		container.NewHBox(s.save, cliButton(s.a, func() string {
			return s.a.cfg.CLI + " profile --name " + quoteArg(s.name.Text) + " --phone " + quoteArg(s.phone.Text)
		})),
		s.status)
}

func (s *profileScreen) run() {
	name, phone := s.name.Text, s.phone.Text
	s.a.background(func(ctx context.Context) func() {
		me, err := s.a.cfg.Client.UpdateProfile(ctx, &name, &phone)
		return func() {
			if err != nil {
				s.status.SetText(errorText(err))
				return
			}
			s.a.me.User.Name, s.a.me.User.Phone = me.User.Name, me.User.Phone
			s.status.SetText(lang.L("Saved."))
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
			items := []*widget.FormItem{
				widget.NewFormItem(lang.L("Web"), widget.NewHyperlink(sup.Web, parseURL(sup.Web))),
				widget.NewFormItem(lang.L("Email"), selectable(sup.Email)),
				widget.NewFormItem(lang.L("Hours"), wrapped(lang.L(sup.Hours))),
			}
			if sup.Phone != "" {
				items = append(items, widget.NewFormItem(lang.L("Phone"), selectable(sup.Phone)))
			}
			body.Add(widget.NewForm(items...))
			if sup.Note != "" {
				body.Add(wrapped(lang.L(sup.Note)))
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

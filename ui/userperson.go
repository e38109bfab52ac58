package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/api"
)

// personForm changes the role of the one selected person, or corrects
// their email address before their first sign-in, without re-creating
// them: they keep their user ID, products, benefits and designation.
type personForm struct {
	s        *usersScreen
	role     *widget.Select
	email    *entry
	err      *errorLabel
	done     *widget.Label
	setRole  *button
	setEmail *button
}

func newPersonForm(s *usersScreen) *personForm {
	f := &personForm{s: s, err: newErrorLabel(), done: wrapped("")}
	f.role = widget.NewSelect([]string{roleName("user"), roleName("software_coordinator"), roleName("contract_manager")}, nil)
	fitSelect(f.role).SetSelectedIndex(0)
	f.email = newEntry()
	f.email.SetPlaceHolder("name@company.com")
	f.setRole = newButton(lang.L("Change the role"), f.runSetRole)
	f.setEmail = newButton(lang.L("Correct the email address"), f.runSetEmail)
	return f
}

func (f *personForm) content() fyne.CanvasObject {
	a := f.s.a
	return container.NewVBox(
		wrapped(lang.L("Tick one user in the list. They keep their user ID, products and benefits. An email address can be corrected until the person first signs in: a new start email goes to the corrected address.")),
		widget.NewForm(
			widget.NewFormItem(lang.L("Role"), container.NewHBox(f.role, f.setRole)),
			widget.NewFormItem(lang.L("Email"), container.NewBorder(nil, nil, nil, f.setEmail, f.email))),
		container.NewHBox(cliButton(a, func() string {
			return a.cfg.CLI + " users set-role " + orPlaceholder(f.targetID(), "ID") + " " + shortRole(roleOf(f.role.Selected))
		}), cliButton(a, func() string {
			return a.cfg.CLI + " users set-email " + orPlaceholder(f.targetID(), "ID") + " " + quoteArg(orPlaceholder(f.email.Text, "EMAIL"))
		})),
		f.err, f.done)
}

// shortRole is a role as the command line takes it.
func shortRole(r string) string {
	switch r {
	case string(api.RoleManager):
		return "manager"
	case string(api.RoleCoordinator):
		return "coordinator"
	}
	return "user"
}

// targetID is the one selected person's ID, "" unless exactly one is.
func (f *personForm) targetID() string {
	ids := f.s.selectedIDs()
	if len(ids) != 1 {
		return ""
	}
	return ids[0]
}

func (f *personForm) target() (string, bool) {
	f.err.SetText("")
	f.done.SetText("")
	id := f.targetID()
	if id == "" {
		f.err.SetText(lang.L("Tick exactly one user in the list first."))
		return "", false
	}
	return id, true
}

func (f *personForm) runSetRole() {
	id, ok := f.target()
	if !ok {
		return
	}
	role := api.Role(roleOf(f.role.Selected))
	f.run(func(ctx context.Context) (*account.UserUpdated, error) {
		return f.s.a.cfg.Client.SetRole(ctx, id, role)
	})
}

func (f *personForm) runSetEmail() {
	id, ok := f.target()
	if !ok {
		return
	}
	email := f.email.Text
	if !plausibleEmail(email) {
		f.err.SetText(lang.L("Enter an email address, like name@company.com."))
		return
	}
	f.run(func(ctx context.Context) (*account.UserUpdated, error) {
		return f.s.a.cfg.Client.SetEmail(ctx, id, email)
	})
}

func (f *personForm) run(change func(ctx context.Context) (*account.UserUpdated, error)) {
	f.s.a.background(func(ctx context.Context) func() {
		res, err := change(ctx)
		return func() {
			if err != nil {
				f.err.SetError(err)
				return
			}
			f.done.SetText(personChangedText(res))
			f.s.a.changed()
			f.s.refresh()
		}
	})
}

// personChangedText says what a change of role or address did.
func personChangedText(res *account.UserUpdated) string {
	u := res.User
	name := u.Name
	if name == "" {
		name = u.Email
	}
	data := map[string]any{"Name": name, "ID": u.ID, "Role": roleName(string(u.Role)), "Email": u.Email}
	switch {
	case res.StartEmail == nil:
		return lang.L("{{.Name}} ({{.ID}}) is now {{.Role}}.", data)
	case res.StartEmail.StartsOn != nil:
		data["Date"] = dateText(*res.StartEmail.StartsOn)
		return lang.L("{{.ID}}'s address is now {{.Email}}: the start email goes to it when the subscription starts, on {{.Date}}.", data)
	case !res.StartEmail.Expires.IsZero():
		data["Expires"] = dateTimeText(res.StartEmail.Expires)
		return lang.L("{{.ID}}'s address is now {{.Email}}: a new start email is on its way to it (its temporary password works once, until {{.Expires}}), and the links sent to the old address no longer work.", data)
	}
	return lang.L("{{.ID}}'s address is now {{.Email}}: a new start email is on its way to it, and the links sent to the old address no longer work.", data)
}

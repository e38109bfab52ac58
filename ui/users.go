package ui

import (
	"context"
	"errors"
	"os"
	"slices"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/api"
	"onramp.dev/onramp/catalog"
)

// usersScreen is the admin's list of users: add one, import a CSV file
// (with a preview of every change and every bad line first), assign or
// take away products and benefits for several users at once, remove.
type usersScreen struct {
	a        *Assistant
	users    []account.User
	selected map[string]bool
	table    *userTable
	status   *errorLabel // the list's own trouble: it could not be read, a removal failed
	done     *widget.Label

	// Add one.
	email, name *entry
	emailErr    *errorLabel
	role        *widget.Select
	addProducts *checkList
	addBenefits *checkList
	addErr      *errorLabel
	added       *widget.Label

	// Import.
	csvPath       *entry
	preview       *widget.Label
	importErr     *errorLabel
	apply         *button
	previewedFile []byte

	// Assign.
	asProducts, asBenefits *checkList
	asMode                 *radioList
	assignErr              *errorLabel
	person                 *personForm // one person's role or address
	assign                 *button

	// The side panels beside the table, one open at a time.
	body, top                                       *fyne.Container
	side                                            *fyne.Container
	addPanel, importPanel, assignPanel, personPanel *sidePanel
	open                                            *sidePanel
	seen                                            int // the Assistant's generation of changes when last read
}

func newUsersScreen(a *Assistant) *usersScreen {
	s := &usersScreen{a: a, selected: map[string]bool{}}
	s.status = newErrorLabel()
	s.done = wrapped("")
	s.done.Hide() // takes no room while it has nothing to say
	s.table = newUserTable(a, func(u *account.User) bool { return s.selected[u.ID] }, func(u *account.User, on bool) {
		if on {
			s.selected[u.ID] = true
		} else {
			delete(s.selected, u.ID)
		}
	})
	s.email = newEntry()
	s.email.SetPlaceHolder("name@company.com")
	s.email.OnChanged = func(string) { s.emailErr.SetText("") }
	s.emailErr = newErrorLabel()
	s.addErr = newErrorLabel()
	s.added = wrapped("")
	s.name = newEntry()
	s.role = widget.NewSelect([]string{roleName("user"), roleName("software_coordinator"), roleName("contract_manager")}, nil)
	fitSelect(s.role).SetSelectedIndex(0)
	products := a.productNames(a.contractProducts())
	s.addProducts = newCheckList(products, nil)
	s.addBenefits = newCheckList(benefitNames(), nil)
	s.addBenefits.SetSelected([]string{benefitName("download"), benefitName("install"), benefitName("web_support")})
	s.csvPath = newEntry()
	s.csvPath.SetPlaceHolder(lang.L("Path of a CSV file: email,name,role,products,benefits"))
	s.csvPath.OnChanged = func(string) { s.previewedFile = nil; s.apply.Disable() }
	s.preview = wrapped("")
	s.importErr = newErrorLabel()
	s.apply = newButtonWithIcon(lang.L("Import"), theme.ConfirmIcon(), s.runImport)
	s.apply.Importance = widget.HighImportance
	s.apply.Disable()
	s.asProducts = newCheckList(products, nil)
	s.asBenefits = newCheckList(benefitNames(), nil)
	s.asMode = newRadioList([]string{lang.L("Give"), lang.L("Take away")}, nil)
	s.asMode.Horizontal = true
	s.asMode.SetSelected(lang.L("Give"))
	s.assignErr = newErrorLabel()
	s.person = newPersonForm(s)
	s.refresh()
	return s
}

// contractProducts are the IDs of the contract's products.
func (a *Assistant) contractProducts() []string {
	var ids []string
	for _, p := range a.me.Contract.Products {
		ids = append(ids, p.Product)
	}
	return ids
}

func benefitNames() []string {
	var names []string
	for _, b := range catalog.Benefits {
		names = append(names, benefitName(string(b)))
	}
	return names
}

// benefitIDsOf maps the translated names checked back to benefit IDs.
func benefitIDsOf(names []string) []string {
	var ids []string
	for _, b := range catalog.Benefits {
		if slices.Contains(names, benefitName(string(b))) {
			ids = append(ids, string(b))
		}
	}
	return ids
}

func roleName(r string) string {
	switch r {
	case "contract_manager":
		return lang.L("contract manager")
	case "software_coordinator":
		return lang.L("software coordinator")
	}
	return lang.L("user")
}

func roleOf(name string) string {
	for _, r := range []string{"contract_manager", "software_coordinator", "user"} {
		if roleName(r) == name {
			return r
		}
	}
	return "user"
}

func (s *usersScreen) content() fyne.CanvasObject {
	a := s.a
	add := newButtonWithIcon(lang.L("Add the user"), theme.ContentAddIcon(), s.runAdd)
	addBox := container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(lang.L("Email"), container.NewVBox(s.email, s.emailErr)),
			widget.NewFormItem(lang.L("Name"), s.name),
			widget.NewFormItem(lang.L("Role"), s.role),
			widget.NewFormItem(lang.L("Products"), s.addProducts),
			widget.NewFormItem(lang.L("Benefits"), s.addBenefits)),
		container.NewHBox(add, cliButton(a, func() string {
			return a.cfg.CLI + " users add --email " + quoteArg(orPlaceholder(s.email.Text, "EMAIL")) + " --role " + roleOf(s.role.Selected) +
				listFlag(" --product ", a.productIDsOf(s.addProducts.Selected)) + listFlag(" --benefit ", benefitIDsOf(s.addBenefits.Selected))
		})),
		s.addErr, s.added)
	browse := newButtonWithIcon(lang.L("Browse…"), theme.FolderOpenIcon(), func() {
		d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err == nil && r != nil {
				s.csvPath.SetText(r.URI().Path())
				r.Close()
				s.runPreview()
			}
		}, a.win)
		d.SetFilter(storage.NewExtensionFileFilter([]string{".csv"}))
		d.Show()
	})
	importBox := container.NewVBox(
		wrapped(lang.L("Every line is checked first. The preview lists every change, or every bad line; nothing changes until you press Import, and one bad line imports nothing.")),
		inOrder(nil, nil, nil, browse, s.csvPath),
		container.NewHBox(newButton(lang.L("Preview"), s.runPreview), s.apply, cliButton(a, func() string {
			return a.cfg.CLI + " users import " + quoteArg(orPlaceholder(s.csvPath.Text, "FILE.csv")) + " --dry-run"
		})),
		s.importErr, s.preview)
	s.assign = newButton(lang.L("Apply to the selected users"), s.runAssign)
	remove := newButtonWithIcon(lang.L("Remove the selected users"), theme.DeleteIcon(), s.confirmRemove)
	assignBox := container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(lang.L("Products"), s.asProducts),
			widget.NewFormItem(lang.L("Benefits"), s.asBenefits),
			widget.NewFormItem("", s.asMode)),
		container.NewVBox(s.assign, remove),
		container.NewHBox(cliButton(a, func() string {
			verb := "--add"
			if s.asMode.Selected == lang.L("Take away") {
				verb = "--remove"
			}
			return a.cfg.CLI + " users assign" + listFlag(" --user ", s.selectedIDs()) + listFlag(" "+verb+"-product ", a.productIDsOf(s.asProducts.Selected)) +
				listFlag(" "+verb+"-benefit ", benefitIDsOf(s.asBenefits.Selected))
		})),
		s.assignErr)
	s.addPanel = s.newPanel(lang.L("Add one user"), addBox, s.email)
	s.importPanel = s.newPanel(lang.L("Import a list (CSV)"), importBox, s.csvPath)
	s.assignPanel = s.newPanel(lang.L("Products and benefits of the selected users"), assignBox, s.assign)
	s.personPanel = s.newPanel(lang.L("Role or email address of the selected user"), s.person.content(), s.person.role)
	s.addPanel.opener = newButtonWithIcon(lang.L("Add a user…"), theme.ContentAddIcon(), func() { s.togglePanel(s.addPanel) })
	s.importPanel.opener = newButtonWithIcon(lang.L("Import a CSV…"), theme.UploadIcon(), func() { s.togglePanel(s.importPanel) })
	s.assignPanel.opener = newButtonWithIcon(lang.L("Ticked users…"), theme.DocumentCreateIcon(), func() { s.togglePanel(s.assignPanel) })
	s.personPanel.opener = newButtonWithIcon(lang.L("Role or email…"), theme.AccountIcon(), func() { s.togglePanel(s.personPanel) })
	refresh := newButtonWithIcon(lang.L("Refresh"), theme.ViewRefreshIcon(), s.refresh)
	a.firstFocus = s.table.search
	s.top = container.NewVBox(inOrder(nil, nil, nil, refresh, heading(lang.L("Users of the contract"))),
		// The buttons wrap onto a second row in a narrow window.
		container.New(layout.NewRowWrapLayout(), s.addPanel.opener, s.importPanel.opener, s.assignPanel.opener, s.personPanel.opener), s.status, s.done)
	// The table takes the screen's whole height; a form opens beside it
	// (over its right part in a narrow window) and scrolls on its own, so
	// that its words stay on screen whatever the table shows.
	s.side = container.New(fixedWidth(panelWidth), s.addPanel.view, s.importPanel.view, s.assignPanel.view, s.personPanel.view)
	for _, o := range s.side.Objects {
		o.Hide()
	}
	s.side.Hide()
	s.open = nil
	s.body = container.New(besideOrOver{width: panelWidth}, s.table.content(), s.side)
	return inOrder(s.top, nil, nil, nil, s.body)
}

// panelWidth is the side panel's width: the French forms fit, and an
// 800-pixel window keeps the table's email column in sight beside it.
const panelWidth = 380

// sidePanel is a form beside the users table (add, import, assign, or a
// row's own action): its title, a button to close it, and its body in a
// scroll of its own.
type sidePanel struct {
	title  string
	scroll *container.Scroll
	view   fyne.CanvasObject
	first  fyne.Focusable // has the keyboard when the panel opens
	opener *button        // the toolbar's button that opens it; nil for a row's action
}

func (s *usersScreen) newPanel(title string, body fyne.CanvasObject, first fyne.Focusable) *sidePanel {
	p := &sidePanel{title: title, first: first, scroll: container.NewVScroll(body)}
	closeBtn := newButtonWithIcon(lang.L("Close"), theme.CancelIcon(), func() { s.closePanel() })
	head := inOrder(nil, nil, nil, closeBtn, heading(title))
	p.view = container.NewStack(newPanelBackground(), container.NewPadded(inOrder(container.NewVBox(head, widget.NewSeparator()), nil, nil, nil, p.scroll)))
	return p
}

// openPanel shows p beside the table, in place of any other, with the
// keyboard on its first field.
func (s *usersScreen) openPanel(p *sidePanel) {
	if s.side == nil {
		return
	}
	s.open = p
	if !slices.Contains(s.side.Objects, p.view) {
		s.side.Add(p.view) // a row's action, opened for the first time
	}
	for _, o := range s.side.Objects {
		if o == p.view {
			o.Show()
		} else {
			o.Hide()
		}
	}
	s.side.Show()
	s.layOut()
	for _, q := range []*sidePanel{s.addPanel, s.importPanel, s.assignPanel, s.personPanel} {
		if q != nil && q.opener != nil {
			q.opener.Importance = widget.MediumImportance
			if q == p {
				q.opener.Importance = widget.HighImportance
			}
			q.opener.Refresh()
		}
	}
	s.a.focusShown(p.first)
}

// togglePanel opens p, or closes it when it is the one open.
func (s *usersScreen) togglePanel(p *sidePanel) {
	if s.open == p {
		s.closePanel()
		return
	}
	s.openPanel(p)
}

// closePanel gives the table the whole width again; the keyboard goes
// back to the button that opened the panel.
func (s *usersScreen) closePanel() {
	p := s.open
	if p == nil || s.side == nil {
		return
	}
	s.open = nil
	s.side.Hide()
	p.view.Hide()
	s.layOut()
	if p.opener != nil {
		p.opener.Importance = widget.MediumImportance
		p.opener.Refresh()
		s.a.focusShown(p.opener)
	}
}

// showInPanel opens p if another is open (or none), then brings o, a
// word of p's, on screen.
func (s *usersScreen) showInPanel(p *sidePanel, o fyne.CanvasObject) {
	if s.open != p {
		s.openPanel(p)
	}
	showObject(o)
}

// layOut gives the table and the panel their room at once (the window
// would at its next resize only). A layout, not a refresh: refreshing the
// screen would draw every label of it again, a long preview too.
func (s *usersScreen) layOut() {
	s.body.Layout.Layout(s.body.Objects, s.body.Size())
	s.side.Layout.Layout(s.side.Objects, s.side.Size())
}

func listFlag(flag string, values []string) string {
	var b strings.Builder
	for _, v := range values {
		b.WriteString(flag + v)
	}
	return b.String()
}

func (s *usersScreen) selectedIDs() []string {
	var ids []string
	for _, u := range s.users {
		if s.selected[u.ID] {
			ids = append(ids, u.ID)
		}
	}
	return ids
}

// refresh reloads the list from the service, page by page.
func (s *usersScreen) refresh() {
	s.seen = s.a.generation
	s.a.background(func(ctx context.Context) func() {
		users, err := s.a.cfg.Client.AllUsers(ctx)
		return func() {
			s.status.SetError(err)
			if err != nil {
				s.say(s.status)
				return
			}
			sort.Slice(users, func(i, j int) bool { return users[i].Email < users[j].Email })
			s.users = users
			present := make(map[string]bool, len(users))
			for _, u := range users {
				present[u.ID] = true
			}
			for id := range s.selected {
				if !present[id] {
					delete(s.selected, id) // removed meanwhile
				}
			}
			s.table.setUsers(users)
		}
	})
}

// clear takes the last action's words away before the next one.
func (s *usersScreen) clear() {
	s.status.SetText("")
	s.done.SetText("")
	s.done.Hide()
	s.addErr.SetText("")
	s.emailErr.SetText("")
	s.assignErr.SetText("")
	if s.top != nil {
		s.top.Refresh()
	}
}

// say shows a result or an error of the list above the table, drawn at
// once.
func (s *usersScreen) say(o fyne.CanvasObject) {
	if s.top != nil {
		showRefreshed(s.top, o)
	}
}

func (s *usersScreen) runAdd() {
	s.clear()
	nu := account.NewUser{Email: strings.TrimSpace(s.email.Text), Name: strings.TrimSpace(s.name.Text), Role: api.Role(roleOf(s.role.Selected)),
		Products: s.a.productIDsOf(s.addProducts.Selected), Benefits: benefitIDsOf(s.addBenefits.Selected)}
	if !plausibleEmail(nu.Email) {
		s.emailErr.SetText(lang.L("Enter an email address, like name@company.com."))
		s.showInPanel(s.addPanel, s.emailErr)
		s.a.focusShown(s.email)
		return
	}
	s.a.background(func(ctx context.Context) func() {
		ch, err := s.a.cfg.Client.AddUser(ctx, nu)
		return func() {
			if err != nil {
				s.showAddError(err)
				if s.emailErr.Visible() {
					s.showInPanel(s.addPanel, s.emailErr)
					s.a.focusShown(s.email)
				} else {
					s.showInPanel(s.addPanel, s.addErr)
				}
				return
			}
			s.email.SetText("")
			s.name.SetText("")
			s.added.SetText(addedText(*ch))
			// The next user's email has the keyboard; the sentence saying
			// who was added stays in view.
			s.showInPanel(s.addPanel, s.added)
			s.a.focusShown(s.email)
			showObject(s.added)
			s.a.changed()
			s.refresh()
		}
	})
}

// showAddError puts the service's refusal next to the field it is about.
func (s *usersScreen) showAddError(err error) {
	var pe *account.ProblemError
	if errors.Is(err, account.ErrEmailTaken) {
		s.emailErr.SetText(problemText(&account.ProblemError{Code: "email_taken"}))
		return
	}
	if errors.As(err, &pe) && len(pe.Rows) > 0 {
		// The service checks one user as a one-line list; its line number
		// means nothing here.
		for _, r := range pe.Rows {
			switch r.Code {
			case "bad_email":
				s.emailErr.SetText(lang.L("This email address is not valid."))
			case "email_taken":
				s.emailErr.SetText(problemText(&account.ProblemError{Code: "email_taken"}))
			case "bad_name":
				s.addErr.SetText(lang.L("The name is not valid (too long, or with control characters)."))
			case "manager_protected":
				s.addErr.SetText(problemText(&account.ProblemError{Code: "manager_protected"}))
			case api.RowManagerOnly:
				s.addErr.SetText(lang.L("Only a contract manager may name another contract manager."))
			case api.RowSeatCap:
				s.addErr.SetText(fieldText(account.FieldError{Code: api.FieldSeatCap, Value: r.Value, Count: r.Count, Limit: r.Limit}))
			case api.RowUnknownProduct:
				s.addErr.SetText(fieldText(account.FieldError{Code: api.FieldUnknownProduct, Value: r.Value}))
			case api.RowBadBenefit:
				s.addErr.SetText(fieldText(account.FieldError{Code: api.FieldBadBenefit, Value: r.Value}))
			default:
				// Lines a form cannot write (a header, a column, a
				// duplicate): no sentence of a file applies.
				s.addErr.SetText(problemText(&account.ProblemError{Code: "invalid"}))
			}
		}
		return
	}
	s.addErr.SetError(err)
}

// plausibleEmail catches the slips a person makes before the service
// checks the address for real.
func plausibleEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t,;<>") && strings.Contains(s[at:], ".")
}

// addedText reports one user added, as an addition.
func addedText(c account.Change) string {
	t := addedWords(c)
	if c.NameDiffers != "" {
		t += " " + nameDiffersText(c)
	}
	return t
}

// nameDiffersText says that an addition kept a member's name: a new
// name is changed apart, never by adding the person again.
func nameDiffersText(c account.Change) string {
	return lang.L("Their name stays {{.Name}}: adding someone never renames them.", map[string]any{"Name": c.NameDiffers})
}

func addedWords(c account.Change) string {
	data := map[string]any{"Email": c.Email, "ID": c.UserID, "Added": strings.Join(c.Added, ", ")}
	switch c.Action {
	case "create":
		return lang.L("Added {{.Email}} (user ID {{.ID}}); a start email is on its way.", data)
	case "update":
		if len(c.Added) == 0 {
			// Nothing given: no list to word, and no email went out.
			return lang.L("{{.Email}} was already a user: nothing added, no email sent.", data)
		}
		return lang.L("{{.Email}} was already a user: gets {{.Added}}, and an email saying so.", data)
	}
	return lang.L("{{.Email}} is already a user with these products and benefits.", data)
}

func changeText(c account.Change) string {
	data := map[string]any{"Email": c.Email, "ID": c.UserID, "Line": c.Line, "Added": strings.Join(c.Added, ", ")}
	var t string
	switch {
	case c.Action == "create":
		t = lang.L("{{.Email}}: new user, gets a start email", data)
	case c.Action == "update" && len(c.Added) == 0:
		t = lang.L("{{.Email}}: already a user, nothing added, no email", data)
	case c.Action == "update":
		t = lang.L("{{.Email}}: gets {{.Added}}, and an email saying so", data)
	default:
		t = lang.L("{{.Email}}: no change", data)
	}
	if c.NameDiffers != "" {
		t += " " + nameDiffersText(c)
	}
	if c.Line > 0 {
		t = lang.L("line {{.Line}}", data) + ": " + t
	}
	return t
}

func (s *usersScreen) readCSV() ([]byte, error) {
	path := strings.TrimSpace(s.csvPath.Text)
	if path == "" {
		return nil, errors.New("no file")
	}
	return os.ReadFile(path)
}

// runPreview sends the file as a dry run: every change or every bad line.
func (s *usersScreen) runPreview() {
	s.clear()
	s.importErr.SetText("")
	s.previewedFile = nil
	s.apply.Disable()
	data, err := s.readCSV()
	if err != nil {
		s.preview.SetText("")
		if strings.TrimSpace(s.csvPath.Text) == "" {
			s.importErr.SetText(lang.L("Choose a CSV file first."))
		} else {
			s.importErr.SetText(lang.L("This file cannot be read. Check its path, or choose it with Browse."))
		}
		s.showInPanel(s.importPanel, s.importErr)
		s.a.focusShown(s.csvPath)
		return
	}
	s.preview.SetText(lang.L("Checking every line…"))
	s.a.background(func(ctx context.Context) func() {
		changes, err := s.a.cfg.Client.ImportUsers(ctx, data, true)
		return func() {
			text := previewText(changes) // worded on the UI goroutine (lang.L)
			if err != nil {
				s.preview.SetText("")
				s.importErr.SetError(err)
				s.showInPanel(s.importPanel, s.importErr)
				return
			}
			s.preview.SetText(text)
			s.previewedFile = data
			s.apply.Enable()
			// Import is the next thing to press; the preview's first
			// lines are on screen under it.
			s.showInPanel(s.importPanel, s.preview)
			s.a.focusShown(s.apply)
			showObject(s.preview)
		}
	})
}

// maxPreviewLines bounds the preview: a wrapped label of 5,000 lines
// costs the window seconds to lay out (200 in the narrow side panel cost
// hundreds of milliseconds at each layout), and nobody reads past the
// first screens.
const maxPreviewLines = 50

func previewText(changes []account.Change) string {
	var create, update, same int
	for _, c := range changes {
		switch c.Action {
		case "create":
			create++
		case "update":
			update++
		default:
			same++
		}
	}
	var b strings.Builder
	b.WriteString(lang.L("The import will make these changes: {{.New}}, {{.Changed}}, {{.Same}}.", map[string]any{
		"New":     plural("{{.Count}} new users", create, map[string]any{"Count": create}),
		"Changed": plural("{{.Count}} changed", update, map[string]any{"Count": update}),
		"Same":    plural("{{.Count}} unchanged", same, map[string]any{"Count": same})}))
	for i, c := range changes {
		if i == maxPreviewLines {
			b.WriteString("\n" + lang.L("… and {{.Count}} more lines.", map[string]any{"Count": len(changes) - i}))
			break
		}
		b.WriteString("\n" + changeText(c))
	}
	return b.String()
}

// runImport imports the file previewed, as it was previewed.
func (s *usersScreen) runImport() {
	data := s.previewedFile
	if data == nil {
		return
	}
	s.clear()
	s.apply.Disable()
	s.a.background(func(ctx context.Context) func() {
		changes, err := s.a.cfg.Client.ImportUsers(ctx, data, false)
		return func() {
			if err != nil {
				s.importErr.SetError(err)
				s.showInPanel(s.importPanel, s.importErr)
				return
			}
			s.previewedFile = nil
			s.preview.SetText(plural("Imported: {{.Count}} lines.", len(changes), map[string]any{"Count": len(changes)}))
			// The users imported are in the table: its search is next.
			s.showInPanel(s.importPanel, s.preview)
			s.a.win.Canvas().Focus(s.table.search)
			s.a.changed()
			s.refresh()
		}
	})
}

func (s *usersScreen) runAssign() {
	s.clear()
	ids := s.selectedIDs()
	if len(ids) == 0 {
		s.assignErr.SetText(lang.L("Tick the users to change first."))
		s.showInPanel(s.assignPanel, s.assignErr)
		return
	}
	as := account.Assignment{Users: ids}
	products, benefits := s.a.productIDsOf(s.asProducts.Selected), benefitIDsOf(s.asBenefits.Selected)
	if s.asMode.Selected == lang.L("Take away") {
		as.RemoveProducts, as.RemoveBenefits = products, benefits
	} else {
		as.AddProducts, as.AddBenefits = products, benefits
	}
	s.a.background(func(ctx context.Context) func() {
		changes, err := s.a.cfg.Client.Assign(ctx, as)
		return func() {
			if err != nil {
				s.assignErr.SetError(err)
				s.showInPanel(s.assignPanel, s.assignErr)
				return
			}
			s.done.SetText(plural("Changed {{.Count}} users.", len(changes), map[string]any{"Count": len(changes)}))
			s.done.Show()
			s.say(s.done)
			s.a.changed()
			s.refresh()
		}
	})
}

func (s *usersScreen) confirmRemove() {
	s.clear()
	ids := s.selectedIDs()
	if len(ids) == 0 {
		s.assignErr.SetText(lang.L("Tick the users to change first."))
		s.showInPanel(s.assignPanel, s.assignErr)
		return
	}
	s.a.confirm(lang.L("Remove users"), plural("Remove {{.Count}} users from the contract? They lose access at once.", len(ids), map[string]any{"Count": len(ids)}),
		choice{label: lang.L("Remove users"), icon: theme.DeleteIcon(), importance: widget.DangerImportance, do: func() { s.remove(ids) }}).Show()
}

func (s *usersScreen) remove(ids []string) {
	s.a.background(func(ctx context.Context) func() {
		var err error
		for _, id := range ids {
			if err = s.a.cfg.Client.RemoveUser(ctx, id); err != nil {
				break
			}
		}
		return func() {
			s.assignErr.SetError(err)
			if err != nil {
				s.showInPanel(s.assignPanel, s.assignErr)
			}
			s.selected = map[string]bool{}
			s.a.changed()
			s.refresh()
		}
	})
}

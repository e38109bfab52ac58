package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
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
	list     *fyne.Container
	count    *widget.Label
	status   *widget.Label

	// Add one.
	email, name *widget.Entry
	role        *widget.Select
	addProducts *widget.CheckGroup
	addBenefits *widget.CheckGroup

	// Import.
	csvPath       *widget.Entry
	preview       *widget.Label
	apply         *widget.Button
	previewedFile []byte

	// Assign.
	asProducts, asBenefits *widget.CheckGroup
	asMode                 *widget.RadioGroup
	forms                  *widget.Accordion
}

func newUsersScreen(a *Assistant) *usersScreen {
	s := &usersScreen{a: a, selected: map[string]bool{}}
	s.list = container.NewVBox()
	s.status = wrapped("")
	s.count = wrapped("")
	s.email = widget.NewEntry()
	s.email.SetPlaceHolder("name@company.com")
	s.name = widget.NewEntry()
	s.role = widget.NewSelect([]string{roleName("user"), roleName("software_coordinator"), roleName("contract_manager")}, nil)
	s.role.SetSelectedIndex(0)
	products := a.contractProducts()
	s.addProducts = widget.NewCheckGroup(products, nil)
	s.addProducts.Horizontal = true
	s.addBenefits = widget.NewCheckGroup(benefitNames(), nil)
	s.addBenefits.Horizontal = true
	s.addBenefits.SetSelected([]string{benefitName("download"), benefitName("install"), benefitName("web_support")})
	s.csvPath = widget.NewEntry()
	s.csvPath.SetPlaceHolder(lang.L("Path of a CSV file: email,name,role,products,benefits"))
	s.csvPath.OnChanged = func(string) { s.previewedFile = nil; s.apply.Disable() }
	s.preview = wrapped("")
	s.apply = widget.NewButtonWithIcon(lang.L("Import"), theme.ConfirmIcon(), s.runImport)
	s.apply.Importance = widget.HighImportance
	s.apply.Disable()
	s.asProducts = widget.NewCheckGroup(products, nil)
	s.asProducts.Horizontal = true
	s.asBenefits = widget.NewCheckGroup(benefitNames(), nil)
	s.asBenefits.Horizontal = true
	s.asMode = widget.NewRadioGroup([]string{lang.L("Give"), lang.L("Take away")}, nil)
	s.asMode.Horizontal = true
	s.asMode.SetSelected(lang.L("Give"))
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
	add := widget.NewButtonWithIcon(lang.L("Add the user"), theme.ContentAddIcon(), s.runAdd)
	addBox := container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(lang.L("Email"), s.email),
			widget.NewFormItem(lang.L("Name"), s.name),
			widget.NewFormItem(lang.L("Role"), s.role),
			widget.NewFormItem(lang.L("Products"), s.addProducts),
			widget.NewFormItem(lang.L("Benefits"), s.addBenefits)),
		container.NewHBox(add, cliButton(a, func() string {
			return a.cfg.CLI + " users add --email " + orPlaceholder(s.email.Text, "EMAIL") + " --role " + roleOf(s.role.Selected) +
				listFlag(" --product ", s.addProducts.Selected) + listFlag(" --benefit ", benefitIDsOf(s.addBenefits.Selected))
		})))
	browse := widget.NewButtonWithIcon(lang.L("Browse…"), theme.FolderOpenIcon(), func() {
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
		container.NewBorder(nil, nil, nil, browse, s.csvPath),
		container.NewHBox(widget.NewButton(lang.L("Preview"), s.runPreview), s.apply, cliButton(a, func() string {
			return a.cfg.CLI + " users import " + quoteArg(orPlaceholder(s.csvPath.Text, "FILE.csv")) + " --dry-run"
		})),
		s.preview)
	assign := widget.NewButton(lang.L("Apply to the selected users"), s.runAssign)
	remove := widget.NewButtonWithIcon(lang.L("Remove the selected users"), theme.DeleteIcon(), s.confirmRemove)
	assignBox := container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(lang.L("Products"), s.asProducts),
			widget.NewFormItem(lang.L("Benefits"), s.asBenefits),
			widget.NewFormItem("", s.asMode)),
		container.NewHBox(assign, remove, cliButton(a, func() string {
			verb := "--add"
			if s.asMode.Selected == lang.L("Take away") {
				verb = "--remove"
			}
			return a.cfg.CLI + " users assign" + listFlag(" --user ", s.selectedIDs()) + listFlag(" "+verb+"-product ", s.asProducts.Selected) +
				listFlag(" "+verb+"-benefit ", benefitIDsOf(s.asBenefits.Selected))
		})))
	s.forms = widget.NewAccordion(
		widget.NewAccordionItem(lang.L("Add one user"), addBox),
		widget.NewAccordionItem(lang.L("Import a list (CSV)"), importBox),
		widget.NewAccordionItem(lang.L("Products and benefits of the selected users"), assignBox))
	top := container.NewVBox(heading(lang.L("Users of the contract")), s.count, s.status)
	return container.NewBorder(top, nil, nil, nil, container.NewVScroll(container.NewVBox(s.list, s.forms)))
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

// refresh reloads the list from the service.
func (s *usersScreen) refresh() {
	s.a.background(func(ctx context.Context) func() {
		users, err := s.a.cfg.Client.Users(ctx)
		return func() {
			if err != nil {
				s.status.SetText(errorText(err))
				return
			}
			sort.Slice(users, func(i, j int) bool { return users[i].Email < users[j].Email })
			s.users = users
			s.draw()
		}
	})
}

func (s *usersScreen) draw() {
	s.list.RemoveAll()
	for _, u := range s.users {
		id := u.ID
		check := widget.NewCheck("", func(on bool) { s.selected[id] = on })
		check.SetChecked(s.selected[id])
		line := fmt.Sprintf("%s · %s · %s", u.Email, orPlaceholder(u.Name, "—"), roleName(string(u.Role)))
		detail := lang.L("ID {{.ID}} · products: {{.Products}} · benefits: {{.Benefits}}", map[string]any{
			"ID": u.ID, "Products": orPlaceholder(strings.Join(u.Products, ", "), lang.L("none")), "Benefits": benefitList(u.Benefits)})
		if u.Caller {
			detail += " · " + lang.L("designated caller")
		}
		if u.MustChangePassword {
			detail += " · " + lang.L("not signed in yet")
		}
		d := wrapped(detail)
		d.Importance = widget.LowImportance
		s.list.Add(container.NewBorder(nil, nil, check, nil, container.NewVBox(widget.NewLabel(line), d)))
	}
	s.count.SetText(lang.L("{{.Count}} users. Tick users to change their products and benefits together.", map[string]any{"Count": len(s.users)}))
}

func (s *usersScreen) runAdd() {
	nu := account.NewUser{Email: strings.TrimSpace(s.email.Text), Name: strings.TrimSpace(s.name.Text), Role: api.Role(roleOf(s.role.Selected)),
		Products: s.addProducts.Selected, Benefits: benefitIDsOf(s.addBenefits.Selected)}
	s.a.background(func(ctx context.Context) func() {
		ch, err := s.a.cfg.Client.AddUser(ctx, nu)
		return func() {
			if err != nil {
				s.status.SetText(errorText(err))
				return
			}
			s.email.SetText("")
			s.name.SetText("")
			s.status.SetText(changeText(*ch))
			s.refresh()
		}
	})
}

func changeText(c account.Change) string {
	data := map[string]any{"Email": c.Email, "ID": c.UserID, "Line": c.Line, "Added": strings.Join(c.Added, ", ")}
	var t string
	switch c.Action {
	case "create":
		t = lang.L("{{.Email}}: new user, gets a start email", data)
	case "update":
		t = lang.L("{{.Email}}: gets {{.Added}}, and an email saying so", data)
	default:
		t = lang.L("{{.Email}}: no change", data)
	}
	if c.Line > 0 {
		t = lang.L("line {{.Line}}", data) + ": " + t
	}
	return t
}

func (s *usersScreen) readCSV() ([]byte, error) {
	path := strings.TrimSpace(s.csvPath.Text)
	if path == "" {
		return nil, errors.New(lang.L("Choose a CSV file first."))
	}
	return os.ReadFile(path)
}

// runPreview sends the file as a dry run: every change or every bad line.
func (s *usersScreen) runPreview() {
	data, err := s.readCSV()
	if err != nil {
		s.preview.SetText(err.Error())
		return
	}
	s.preview.SetText(lang.L("Checking every line…"))
	s.a.background(func(ctx context.Context) func() {
		changes, err := s.a.cfg.Client.ImportUsers(ctx, data, true)
		return func() {
			var ie *account.ImportError
			switch {
			case errors.As(err, &ie):
				lines := []string{lang.L("{{.Count}} bad lines; nothing will be imported until they are corrected:", map[string]any{"Count": len(ie.Rows)})}
				for _, r := range ie.Rows {
					lines = append(lines, lang.L("line {{.Line}}", map[string]any{"Line": r.Line})+": "+r.Reason)
				}
				s.preview.SetText(strings.Join(lines, "\n"))
			case err != nil:
				s.preview.SetText(errorText(err))
			default:
				lines := []string{lang.L("The import will make these changes:")}
				for _, c := range changes {
					lines = append(lines, changeText(c))
				}
				s.preview.SetText(strings.Join(lines, "\n"))
				s.previewedFile = data
				s.apply.Enable()
			}
		}
	})
}

// runImport imports the file previewed, as it was previewed.
func (s *usersScreen) runImport() {
	data := s.previewedFile
	if data == nil {
		return
	}
	s.apply.Disable()
	s.a.background(func(ctx context.Context) func() {
		changes, err := s.a.cfg.Client.ImportUsers(ctx, data, false)
		return func() {
			if err != nil {
				s.preview.SetText(errorText(err))
				return
			}
			s.previewedFile = nil
			s.preview.SetText(lang.L("Imported: {{.Count}} lines.", map[string]any{"Count": len(changes)}))
			s.refresh()
		}
	})
}

func (s *usersScreen) runAssign() {
	ids := s.selectedIDs()
	if len(ids) == 0 {
		s.status.SetText(lang.L("Tick the users to change first."))
		return
	}
	as := account.Assignment{Users: ids}
	products, benefits := s.asProducts.Selected, benefitIDsOf(s.asBenefits.Selected)
	if s.asMode.Selected == lang.L("Take away") {
		as.RemoveProducts, as.RemoveBenefits = products, benefits
	} else {
		as.AddProducts, as.AddBenefits = products, benefits
	}
	s.a.background(func(ctx context.Context) func() {
		changes, err := s.a.cfg.Client.Assign(ctx, as)
		return func() {
			if err != nil {
				s.status.SetText(errorText(err))
				return
			}
			s.status.SetText(lang.L("Changed {{.Count}} users.", map[string]any{"Count": len(changes)}))
			s.refresh()
		}
	})
}

func (s *usersScreen) confirmRemove() {
	ids := s.selectedIDs()
	if len(ids) == 0 {
		s.status.SetText(lang.L("Tick the users to change first."))
		return
	}
	dialog.ShowConfirm(lang.L("Remove users"), lang.L("Remove {{.Count}} users from the contract? They lose access at once.", map[string]any{"Count": len(ids)}),
		func(ok bool) {
			if ok {
				s.remove(ids)
			}
		}, s.a.win)
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
			if err != nil {
				s.status.SetText(errorText(err))
			}
			s.selected = map[string]bool{}
			s.refresh()
		}
	})
}

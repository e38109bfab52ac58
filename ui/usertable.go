package ui

import (
	"bytes"
	"cmp"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"golang.org/x/text/collate"

	"onramp.dev/onramp/account"
)

// userTable is the contract's users as a table that draws only the rows
// on show, so that 5,000 users cost what 20 do: search by email, name or
// ID, filter by role and product, sort by a column, tick rows (a click
// anywhere on a row ticks it, and so does Space on the row that has the
// keyboard focus; the arrows move it) and tick every row the filters keep.
// The users screen ticks to select; the callers screen ticks to
// designate.
type userTable struct {
	a      *Assistant
	all    []account.User
	folded []string // each user's email, name and ID as searches compare them
	shown  []int    // indexes into all, filtered and sorted

	query, role, product string // "" is any
	queryWords           []string

	col      *collate.Collator // the language's order, made for colLang
	colLang  string
	sortKeys [colCount][][]byte // per column, each row's collation key once made
	sortBy   int
	sortDesc bool

	ticked  func(u *account.User) bool
	setTick func(u *account.User, on bool)
	// enabled says whether a row's tick may change, and why not.
	enabled func(u *account.User) (bool, string)
	// refused is told why a row's tick did not change, so that the
	// screen says so where it is seen; a click never does nothing silently.
	refused func(u *account.User, why string)
	changed func() // after ticks change

	table      *widget.Table
	search     *entry
	roleSel    *widget.Select
	productSel *widget.Select
	tickAll    *button
	count      *widget.Label
}

const (
	colTick = iota
	colEmail
	colName
	colRole
	colProducts
	colStatus
	colID
	colCount
)

var colWidths = [colCount]float32{44, 240, 170, 170, 190, 200, 110}

func newUserTable(a *Assistant, ticked func(*account.User) bool, setTick func(*account.User, bool)) *userTable {
	t := &userTable{a: a, ticked: ticked, setTick: setTick, sortBy: colEmail}
	t.search = newEntry()
	t.search.SetPlaceHolder(lang.L("Search by email, name or ID"))
	t.search.OnChanged = func(q string) {
		t.query = foldText(strings.TrimSpace(q))
		t.queryWords = searchWords(t.query)
		t.filter()
	}
	roles := []string{lang.L("Every role"), roleName("user"), roleName("software_coordinator"), roleName("contract_manager")}
	roleIDs := []string{"", "user", "software_coordinator", "contract_manager"}
	t.roleSel = widget.NewSelect(roles, func(string) {
		t.role = roleIDs[max(t.roleSel.SelectedIndex(), 0)]
		t.filter()
	})
	fitSelect(t.roleSel).SetSelectedIndex(0)
	productIDs := append([]string{""}, a.contractProducts()...)
	products := []string{lang.L("Every product")}
	for _, id := range productIDs[1:] {
		products = append(products, a.productName(id))
	}
	t.productSel = widget.NewSelect(products, func(string) {
		t.product = productIDs[max(t.productSel.SelectedIndex(), 0)]
		t.filter()
	})
	fitSelect(t.productSel).SetSelectedIndex(0)
	t.tickAll = newButtonWithIcon(lang.L("Tick the users shown"), theme.CheckButtonCheckedIcon(), func() { t.tickShown(true) })
	t.count = widget.NewLabel("")
	t.count.Truncation = fyne.TextTruncateEllipsis
	t.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(t.shown), colCount },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewStack(container.NewCenter(widget.NewIcon(nil)), l)
		},
		t.updateCell)
	t.table.ShowHeaderColumn = false
	t.table.CreateHeader = func() fyne.CanvasObject {
		b := newButton("", nil)
		b.Importance = widget.LowImportance
		b.Alignment = widget.ButtonAlignLeading
		return b
	}
	t.table.UpdateHeader = t.updateHeader
	for c, w := range colWidths {
		t.table.SetColumnWidth(c, w)
	}
	// A click (or Space on the focused cell) anywhere on a row ticks it.
	t.table.OnSelected = func(id widget.TableCellID) {
		t.table.UnselectAll()
		if id.Row >= 0 && id.Row < len(t.shown) {
			u := &t.all[t.shown[id.Row]]
			if ok, why := t.may(u); ok {
				t.tick(u, !t.ticked(u))
			} else if t.refused != nil {
				t.refused(u, why)
			}
		}
	}
	return t
}

// content is the filters above the table.
func (t *userTable) content() fyne.CanvasObject {
	// Two rows rather than one long one: the French labels and the tab
	// bar would otherwise widen the window past 800 px.
	filters := container.NewVBox(inOrder(nil, nil, nil, t.tickAll, t.search),
		inOrder(nil, nil, container.NewHBox(t.roleSel, t.productSel), nil, t.count))
	return inOrder(filters, nil, nil, nil, t.table)
}

func (t *userTable) may(u *account.User) (bool, string) {
	if t.enabled == nil {
		return true, ""
	}
	return t.enabled(u)
}

func (t *userTable) tick(u *account.User, on bool) {
	t.setTick(u, on)
	t.table.Refresh()
	t.updateCount()
	if t.changed != nil {
		t.changed()
	}
}

// tickShown ticks (or unticks) every row the filters keep.
func (t *userTable) tickShown(on bool) {
	for _, i := range t.shown {
		if ok, _ := t.may(&t.all[i]); ok && t.ticked(&t.all[i]) != on {
			t.setTick(&t.all[i], on)
		}
	}
	t.table.Refresh()
	t.updateCount()
	if t.changed != nil {
		t.changed()
	}
}

// setUsers replaces the rows, keeping the filters, the sort and the ticks.
func (t *userTable) setUsers(users []account.User) {
	t.all = users
	t.sortKeys = [colCount][][]byte{}
	// Folded once here rather than on each keystroke: a search through
	// 5,000 users stays instant.
	t.folded = make([]string, len(users))
	for i, u := range users {
		t.folded[i] = foldText(u.Email + "\x00" + u.Name + "\x00" + u.ID)
	}
	t.filter()
}

func (t *userTable) filter() {
	if t.table == nil {
		return // still being built
	}
	t.shown = t.shown[:0]
	for i := range t.all {
		if t.keeps(i) {
			t.shown = append(t.shown, i)
		}
	}
	t.sort()
}

func (t *userTable) keeps(i int) bool {
	u := &t.all[i]
	if t.role != "" && string(u.Role) != t.role {
		return false
	}
	if t.product != "" && !slices.Contains(u.Products, t.product) {
		return false
	}
	if t.query == "" {
		return true
	}
	if strings.Contains(t.folded[i], t.query) {
		return true
	}
	// Or each word of the query starts a word of the user's, in any
	// order: "dupre helene" finds "Hélène Dupré".
	for _, w := range t.queryWords {
		if !startsWord(t.folded[i], w) {
			return false
		}
	}
	return len(t.queryWords) > 0
}

func (t *userTable) sortOn(col int) {
	if col == t.sortBy {
		t.sortDesc = !t.sortDesc
	} else {
		t.sortBy, t.sortDesc = col, false
	}
	t.sort()
}

func (t *userTable) sort() {
	key := func(u *account.User) string {
		switch t.sortBy {
		case colName:
			return u.Name
		case colRole:
			return roleName(string(u.Role))
		case colProducts:
			return strings.Join(u.Products, ",")
		case colStatus:
			return t.status(u)
		case colID:
			return u.ID
		case colTick:
			if t.ticked(u) {
				return "0"
			}
			return "1"
		}
		return u.Email
	}
	if t.sortBy == colEmail || t.sortBy == colID {
		// Addresses and IDs are ASCII: their order is the bytes', and
		// collating 5,000 of them would slow every load of the list.
		t.sortShown(func(i, j int) int {
			return cmp.Compare(strings.ToLower(key(&t.all[i])), strings.ToLower(key(&t.all[j])))
		})
		return
	}
	// Keys made once per row: comparing with the collator itself would
	// cost each of the n·log n comparisons a collation. Those of the
	// columns that ticks do not change are kept until the users change,
	// so that a keystroke in the search re-sorts without collating again.
	if t.col == nil || t.colLang != t.a.speaks {
		t.col, t.colLang, t.sortKeys = collator(t.a.speaks), t.a.speaks, [colCount][][]byte{}
	}
	keys := t.sortKeys[t.sortBy]
	if keys == nil || t.sortBy == colStatus || t.sortBy == colTick {
		keys = make([][]byte, len(t.all))
	}
	var buf collate.Buffer
	for _, i := range t.shown {
		if keys[i] == nil {
			keys[i] = bytes.Clone(t.col.KeyFromString(&buf, key(&t.all[i])))
			buf.Reset()
		}
	}
	if t.sortBy != colStatus && t.sortBy != colTick {
		t.sortKeys[t.sortBy] = keys
	}
	t.sortShown(func(i, j int) int { return bytes.Compare(keys[i], keys[j]) })
}

// sortShown sorts the rows shown by compare, then by email, in the order
// chosen, and redraws.
func (t *userTable) sortShown(compare func(i, j int) int) {
	slices.SortStableFunc(t.shown, func(i, j int) int {
		c := compare(i, j)
		if c == 0 {
			c = cmp.Compare(t.all[i].Email, t.all[j].Email)
		}
		if t.sortDesc {
			return -c
		}
		return c
	})
	t.table.Refresh()
	t.updateCount()
}

func (t *userTable) updateCount() {
	n := 0
	for i := range t.all {
		if t.ticked(&t.all[i]) {
			n++
		}
	}
	t.count.SetText(countText(len(t.shown), len(t.all), n))
}

func (t *userTable) status(u *account.User) string {
	var s []string
	if u.Caller {
		s = append(s, lang.L("designated caller"))
	}
	if u.MustChangePassword {
		s = append(s, lang.L("not signed in yet"))
	}
	return strings.Join(s, ", ")
}

func (t *userTable) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	b := o.(*button)
	col := id.Col
	b.SetText([colCount]string{"", lang.L("Email"), lang.L("Name"), lang.L("Role"), lang.L("Products"), lang.L("Status"), lang.L("User ID")}[col])
	b.SetIcon(nil)
	if col == t.sortBy {
		if t.sortDesc {
			b.SetIcon(theme.MoveUpIcon())
		} else {
			b.SetIcon(theme.MoveDownIcon())
		}
	}
	b.OnTapped = func() { t.sortOn(col) }
}

func (t *userTable) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	if id.Row < 0 || id.Row >= len(t.shown) {
		return
	}
	u := &t.all[t.shown[id.Row]]
	stack := o.(*fyne.Container)
	box, label := stack.Objects[0].(*fyne.Container), stack.Objects[1].(*widget.Label)
	mark := box.Objects[0].(*widget.Icon)
	if id.Col != colTick {
		box.Hide()
		label.Show()
		var text string
		switch id.Col {
		case colEmail:
			text = u.Email
		case colName:
			text = u.Name
		case colRole:
			text = roleName(string(u.Role))
		case colProducts:
			var names []string
			for _, p := range u.Products {
				names = append(names, t.a.productName(p))
			}
			text = strings.Join(names, ", ")
		case colStatus:
			text = t.status(u)
		case colID:
			text = u.ID
		}
		label.SetText(text)
		return
	}
	label.Hide()
	box.Show()
	mark.SetResource(tickMark(t.ticked(u), func() bool { ok, _ := t.may(u); return ok }()))
}

// tickMark draws a row's tick box. It is a picture, not a check box: the
// row ticks through the table (a click on the row, or Space on the row
// with the keyboard focus), so that Tab crosses the table in one press
// instead of stopping on a box per row.
func tickMark(ticked, enabled bool) fyne.Resource {
	var r fyne.Resource = theme.CheckButtonIcon()
	if ticked {
		r = theme.NewPrimaryThemedResource(theme.CheckButtonCheckedIcon())
	}
	if !enabled {
		r = theme.NewDisabledResource(r)
	}
	return r
}

// productName is a product's name from the catalog, or its ID when the
// catalog does not list it.
func (a *Assistant) productName(id string) string {
	if a.cat != nil {
		if p, ok := a.cat.Product(id); ok && p.Name != "" {
			return p.Name
		}
	}
	return id
}

// productNames are the names of products, in their order.
func (a *Assistant) productNames(ids []string) []string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		names = append(names, a.productName(id))
	}
	return names
}

// productIDsOf maps the names checked back to the contract's product IDs.
func (a *Assistant) productIDsOf(names []string) []string {
	var ids []string
	for _, id := range a.contractProducts() {
		if slices.Contains(names, a.productName(id)) {
			ids = append(ids, id)
		}
	}
	return ids
}

// countText says how many users the table shows and how many are ticked;
// in French each number has its own agreement ("1 utilisateur affiché").
func countText(shown, total, ticked int) string {
	data := map[string]any{"Shown": shown, "Total": total, "Ticked": ticked}
	return plural("{{.Shown}} of {{.Total}} users shown", shown, data) + plural(", {{.Ticked}} ticked.", ticked, data)
}

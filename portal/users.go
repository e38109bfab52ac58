package portal

import (
	"onramp.dev/onramp/api"
	"onramp.dev/onramp/internal/clip"

	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strings"
	"time"

	"onramp.dev/onramp/catalog"
)

// RowError is one bad line of an import.
type RowError = api.RowError

// ImportError lists every bad line; nothing was imported.
type ImportError struct{ Rows []RowError }

// MaxReasonBytes bounds the reason of a refused value or a bad line, as
// the service writes it and as an answer carries it.
const MaxReasonBytes = 200

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad line(s), nothing imported:", len(e.Rows))
	for _, r := range e.Rows {
		fmt.Fprintf(&b, "\n  line %d: %s", r.Line, r.Reason)
	}
	return b.String()
}

// Change is one change an import makes (or would make, in a dry run).
type Change struct {
	Line    int               `json:"line,omitempty"`
	Action  string            `json:"action"` // create, update, unchanged
	UserID  string            `json:"user_id,omitempty"`
	Email   string            `json:"email"`
	Role    Role              `json:"role"`
	Added   []string          `json:"added,omitempty"` // products and benefits given
	Product []string          `json:"products"`
	Benefit []catalog.Benefit `json:"benefits"`
	// NameDiffers is the member's name, when the addition named them
	// otherwise: they are not renamed.
	NameDiffers string `json:"name_differs,omitempty"`
}

const maxImportRows = 50_000

// importRow is one parsed line.
type importRow struct {
	line     int
	invalid  bool // the line has a problem of its own; skipped by the plan
	email    string
	name     string
	role     Role
	language string // "" for the contract's
	products []string
	benefits []catalog.Benefit
}

// parseUsersCSV reads "email,name,role,products,benefits[,language]" (a
// header line first; products and benefits separated by ';' or '|';
// language en or fr, empty for the contract's), with ',' or ';' between fields, in UTF-8 or Windows-1252 (see csvText). It reports every
// bad line: quoting, addresses, roles, benefits, duplicates.
func parseUsersCSV(data []byte) ([]importRow, []RowError) {
	data, sep, encErr := csvText(data)
	if encErr != nil {
		return nil, []RowError{*encErr}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sep
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	var rows []importRow
	var bad []RowError
	header := true
	col := map[string]int{}
	seen := map[string]int{}
	line := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// FieldPos is only defined after a successful Read: the line
			// comes from the parse error.
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return rows, append(bad, RowError{Line: max(pe.StartLine, 1), Code: "bad_csv", Reason: "quoting: " + pe.Err.Error()})
			}
			return rows, append(bad, RowError{Line: line + 1, Code: "bad_csv", Reason: err.Error()})
		}
		line, _ = r.FieldPos(0)
		if header {
			header = false
			for i, h := range rec {
				col[strings.ToLower(strings.TrimSpace(h))] = i
			}
			if _, ok := col["email"]; !ok {
				return nil, []RowError{{Line: line, Code: api.RowBadHeader, Reason: "the first line must name the columns: email,name,role,products,benefits"}}
			}
			for h := range col {
				if !slices.Contains([]string{"email", "name", "role", "products", "benefits", "language"}, h) {
					bad = append(bad, RowError{Line: line, Code: api.RowUnknownColumn, Value: clip.Text(h, 60),
						Reason: fmt.Sprintf("unknown column %q (known: email, name, role, products, benefits, language)", clip.Text(h, 60))})
				}
			}
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if strings.Join(rec, "") == "" {
			continue // a blank line
		}
		if len(rows)+len(bad) >= maxImportRows {
			return rows, append(bad, RowError{Line: line, Code: api.RowTooManyLines, Limit: maxImportRows, Reason: fmt.Sprintf("more than %d lines: split the file", maxImportRows)})
		}
		row := importRow{line: line, name: get("name"), role: RoleUser}
		badBefore := len(bad)
		if err := checkName(api.FieldName, row.name); err != nil {
			bad = append(bad, RowError{Line: line, Code: api.RowBadName, Reason: err.Error()})
		}
		if err := checkEmailText(api.FieldEmail, get("email")); err != nil {
			bad = append(bad, RowError{Line: line, Code: api.RowBadEmail, Reason: err.Error()})
		} else if addr, err := mail.ParseAddress(get("email")); err != nil || addr.Address != get("email") {
			bad = append(bad, RowError{Line: line, Code: api.RowBadEmail, Reason: fmt.Sprintf("%q is not an email address", clip.Text(get("email"), 60))})
		} else {
			row.email = strings.ToLower(addr.Address)
			if first, dup := seen[row.email]; dup {
				bad = append(bad, RowError{Line: line, Code: api.RowDuplicateEmail, Value: row.email, Lines: []int{first},
					Reason: fmt.Sprintf("%s is already on line %d", row.email, first)})
			}
			seen[row.email] = line
		}
		if v := get("role"); v != "" {
			switch Role(strings.ReplaceAll(strings.ToLower(v), " ", "_")) {
			case RoleUser, RoleCoordinator, RoleManager:
				row.role = Role(strings.ReplaceAll(strings.ToLower(v), " ", "_"))
			default:
				bad = append(bad, RowError{Line: line, Code: api.RowBadRole, Value: clip.Text(v, 60),
					Reason: fmt.Sprintf("role %q: want user, software_coordinator or contract_manager", clip.Text(v, 60))})
			}
		}
		row.language = strings.ToLower(get("language"))
		if checkLanguage(api.FieldLanguage, row.language, true) != nil {
			bad = append(bad, RowError{Line: line, Code: api.RowBadLanguage, Value: clip.Text(row.language, 20),
				Reason: fmt.Sprintf("language %q: want en, fr, or nothing for the contract's", clip.Text(row.language, 20))})
		}
		row.products = splitList(strings.ToLower(get("products")))
		for _, b := range splitList(get("benefits")) {
			ben, err := catalog.ParseBenefit(b)
			if err != nil {
				bad = append(bad, RowError{Line: line, Code: api.RowBadBenefit, Value: clip.Text(b, 60), Reason: clip.Text(err.Error(), MaxReasonBytes)})
				break // one a line: a line of a million benefits costs one
			}
			if !slices.Contains(row.benefits, ben) {
				row.benefits = append(row.benefits, ben)
			}
		}
		row.invalid = len(bad) > badBefore
		rows = append(rows, row)
	}
	return rows, bad
}

// splitList is a cell's list, each value once (by a set: a cell may hold
// a million values).
func splitList(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '|' }) {
		if p = strings.TrimSpace(p); p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// ImportUsers adds the users of a CSV file, and gives existing users (by
// email) the products and benefits it lists; it never takes anything away,
// so importing the same file again changes nothing. Every line is checked
// first, against the contract's products and seats as they are under the
// write lock; one bad line and nothing is imported. New users get a start
// email, users whose benefits change a notice.
func (s *Service) ImportUsers(ctx context.Context, admin *User, data []byte, dryRun bool) ([]Change, error) {
	if !admin.Role.IsAdmin() {
		return nil, ErrNotAdmin
	}
	rows, bad := parseUsersCSV(data)
	if len(rows) == 0 && len(bad) > 0 {
		return nil, &ImportError{Rows: bad}
	}
	// An address with an account joins with it. Whether it has one is
	// never told: the answer is the same as for a new address.
	for attempt := 1; ; attempt++ {
		accounts, err := s.accountsOf(ctx, rows)
		if err != nil {
			return nil, err
		}
		changes, err := s.applyRows(ctx, admin, rows, bad, accounts, dryRun)
		// An account made for one of the addresses meanwhile: plan again,
		// with it.
		if errors.Is(err, ErrEmailTaken) && attempt < 3 {
			continue
		}
		return changes, err
	}
}

var errDryRun = errors.New("dry run")

// applyRows plans the rows under the lock; parseBad are the problems the
// parser found, reported together with the plan's own.
func (s *Service) applyRows(ctx context.Context, admin *User, rows []importRow, parseBad []RowError, accounts map[string]*User, dryRun bool) ([]Change, error) {
	var report []Change
	err := s.store.ChangeUsers(ctx, admin.ContractID, func(c *Contract, users []*User) ([]UserChange, []Email, error) {
		report = nil
		if err := s.checkActive(c); err != nil {
			return nil, nil, err
		}
		byEmail := map[string]*User{}
		used := map[string]int{}
		for _, u := range users {
			byEmail[u.Email] = u
			for _, p := range u.Products {
				used[p]++
			}
		}
		seats := map[string]int{}
		for _, p := range c.Products {
			seats[p.Product] = p.Seats
		}
		bad := slices.Clone(parseBad)
		var changes []UserChange
		var emails []Email
		lines := map[string][]int{}
		total, overLine := len(users), 0
		// A dry run keeps no email: each kind is rendered once per
		// language, so that a template that fails the import fails its
		// preview, not once a line (thousands of renderings were most of
		// a preview's time).
		rendered := map[string]bool{}
		mailNeeded := func(kind string, u *User) bool {
			if !dryRun {
				return true
			}
			k := kind + "." + userLanguage(u, c)
			if rendered[k] {
				return false
			}
			rendered[k] = true
			return true
		}
		for _, r := range rows {
			for _, p := range r.products {
				if _, ok := seats[p]; !ok {
					bad = append(bad, RowError{Line: r.line, Code: api.RowUnknownProduct, Value: clip.Text(p, 60),
						Reason: fmt.Sprintf("product %q is not in contract %s", clip.Text(p, 60), c.ID)})
					break // one a line: a line of a million products costs one
				}
			}
			if r.role == RoleManager && admin.Role != RoleManager {
				bad = append(bad, RowError{Line: r.line, Code: api.RowManagerOnly, Reason: "only a contract manager may name another"})
			}
			if r.invalid {
				continue
			}
			u, exists := byEmail[r.email]
			if exists && mayChange(admin, u) != nil {
				bad = append(bad, RowError{Line: r.line, Code: api.RowManagerProtected, Reason: r.email + ": " + ErrManagerProtected.Error()})
				continue
			}
			ch := Change{Line: r.line, Email: r.email, Role: r.role}
			if !exists {
				u = &User{ID: newUserID(), ContractID: c.ID, Email: r.email, Name: r.name, Role: r.role, Language: r.language,
					Products: slices.Clone(r.products), Benefits: slices.Clone(r.benefits), MustChangePassword: true, Created: s.now().UTC(),
					tempExpires: s.now().UTC().Add(TemporaryPasswordTTL)}
				// A person with an account joins with it, their name and
				// language kept as they are: another company's admin
				// neither renames them nor learns that they differ.
				if a := accounts[r.email]; a != nil {
					u.ID, u.Name, u.Language, u.MustChangePassword, u.tempExpires, u.joining = a.ID, a.Name, a.Language, a.MustChangePassword, time.Time{}, true
				}
				if u.Products == nil {
					u.Products = []string{}
				}
				for _, p := range u.Products {
					used[p]++
					lines[p] = append(lines[p], r.line)
				}
				if total++; total > s.maxContractUsers() && overLine == 0 {
					overLine = r.line
				}
				kind := "start"
				if u.joining {
					kind = "start_existing"
				}
				// A user of an ordered contract gets their start email
				// when it starts, with a new password: this one nobody knows.
				// A dry run writes nothing: no password to hash.
				mail := c.Started != nil && mailNeeded(kind, u)
				var temp string
				if !dryRun || mail {
					temp = newTemporaryPassword()
				}
				if !dryRun {
					changes = append(changes, UserChange{Kind: "create", User: u, PasswordHash: hashTemporary(temp), Detail: "import"})
				}
				if mail {
					e, err := s.startEmail(c, u, temp)
					if u.joining {
						e, err = s.startExistingEmail(c, u)
					}
					if err != nil {
						return nil, nil, err
					}
					emails = append(emails, e)
				}
				ch.Action, ch.UserID, ch.Product, ch.Benefit = "create", u.ID, u.Products, u.Benefits
				report = append(report, ch)
				continue
			}
			next := *u
			next.Products, next.Benefits = slices.Clone(u.Products), slices.Clone(u.Benefits)
			for _, p := range r.products {
				if !slices.Contains(next.Products, p) {
					next.Products = append(next.Products, p)
					ch.Added = append(ch.Added, p)
					used[p]++
					lines[p] = append(lines[p], r.line)
				}
			}
			for _, b := range r.benefits {
				if !slices.Contains(next.Benefits, b) {
					next.Benefits = append(next.Benefits, b)
					ch.Added = append(ch.Added, string(b))
				}
			}
			// A member is never renamed by an addition: a name that
			// differs is reported, for the admin to confirm elsewhere.
			if r.name != "" && r.name != u.Name {
				ch.NameDiffers = u.Name
			}
			if r.language != "" {
				next.Language = r.language
			}
			slices.Sort(next.Products)
			slices.Sort(next.Benefits)
			ch.UserID, ch.Product, ch.Benefit, ch.Role = u.ID, next.Products, next.Benefits, u.Role
			if len(ch.Added) == 0 && next.Name == u.Name && next.Language == u.Language {
				ch.Action = "unchanged"
			} else {
				ch.Action = "update"
				changes = append(changes, UserChange{Kind: "update", User: &next, Detail: "import: +" + strings.Join(ch.Added, ",")})
				if len(ch.Added) > 0 && c.Started != nil && mailNeeded("benefits_changed", &next) {
					e, err := s.noticeEmail(c, &next, "benefits_changed")
					if err != nil {
						return nil, nil, err
					}
					emails = append(emails, e)
				}
			}
			report = append(report, ch)
		}
		for p, n := range used {
			if limit, ok := seats[p]; ok && n > limit && len(lines[p]) > 0 {
				bad = append(bad, RowError{Line: lines[p][0], Code: api.RowSeatCap, Value: p, Count: n, Limit: limit, Lines: firstInts(lines[p]),
					Reason: fmt.Sprintf("%s: %d users for %d seats (lines %s)", p, n, limit, joinInts(lines[p]))})
			}
		}
		if overLine > 0 {
			bad = append(bad, RowError{Line: overLine, Code: api.RowContractFull, Count: total, Limit: s.maxContractUsers(),
				Reason: fmt.Sprintf("the contract would have %d users, and holds at most %d", total, s.maxContractUsers())})
		}
		if len(bad) > 0 {
			slices.SortFunc(bad, func(a, b RowError) int { return a.Line - b.Line })
			return nil, nil, &ImportError{Rows: bad}
		}
		if dryRun {
			return nil, nil, errDryRun
		}
		return changes, emails, nil
	}, admin.ID)
	if errors.Is(err, errDryRun) {
		return report, nil
	}
	if err != nil {
		return nil, err
	}
	return report, nil
}

// firstInts bounds a list of lines an answer carries.
func firstInts(ns []int) []int { return slices.Clone(ns[:min(len(ns), 100)]) }

func joinInts(ns []int) string {
	s := make([]string, 0, min(len(ns), 10))
	for _, n := range ns[:min(len(ns), 10)] {
		s = append(s, fmt.Sprint(n))
	}
	if len(ns) > 10 {
		s = append(s, "…")
	}
	return strings.Join(s, ", ")
}

// NewUser is an admin's request to add one user.
type NewUser = api.NewUser

// AddUser adds one user, with the same checks as an import.
func (s *Service) AddUser(ctx context.Context, admin *User, nu NewUser) (*Change, error) {
	if !admin.Role.IsAdmin() {
		return nil, ErrNotAdmin
	}
	line := fmt.Sprintf("email,name,role,products,benefits,language\n%s,%s,%s,%s,%s,%s\n", csvField(nu.Email), csvField(nu.Name), csvField(string(nu.Role)),
		csvField(strings.Join(nu.Products, ";")), csvField(strings.Join(nu.Benefits, ";")), csvField(nu.Language))
	changes, err := s.ImportUsers(ctx, admin, []byte(line), false)
	if err != nil {
		return nil, err
	}
	return &changes[0], nil
}

func csvField(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Assignment gives and takes products and benefits, for several users at once.
type Assignment = api.Assignment

// Assign applies an assignment to every user named, all or nothing.
func (s *Service) Assign(ctx context.Context, admin *User, a Assignment) ([]Change, error) {
	if !admin.Role.IsAdmin() {
		return nil, ErrNotAdmin
	}
	var bounds InvalidError
	for _, l := range []struct {
		field string
		list  *[]string
		limit int
		key   func(string) string
	}{
		{api.FieldUsers, &a.Users, maxAssignUsers, strings.ToUpper},
		{api.FieldProducts, &a.AddProducts, maxListValues, nil},
		{api.FieldProducts, &a.RemoveProducts, maxListValues, nil},
		{api.FieldBenefits, &a.AddBenefits, maxListValues, nil},
		{api.FieldBenefits, &a.RemoveBenefits, maxListValues, nil},
	} {
		var e *api.FieldError
		*l.list, e = uniqueList(l.field, *l.list, l.limit, l.key)
		bounds.add(e)
	}
	if err := bounds.orNil(); err != nil {
		return nil, err
	}
	var report []Change
	err := s.store.ChangeUsers(ctx, admin.ContractID, func(c *Contract, users []*User) ([]UserChange, []Email, error) {
		report = nil
		if len(a.AddProducts)+len(a.AddBenefits) > 0 {
			if err := s.checkActive(c); err != nil {
				return nil, nil, err
			}
		}
		var inv InvalidError
		seats := map[string]int{}
		for _, p := range c.Products {
			seats[p.Product] = p.Seats
		}
		for _, p := range append(slices.Clone(a.AddProducts), a.RemoveProducts...) {
			if _, ok := seats[p]; !ok {
				e := fieldError(api.FieldProducts, api.FieldUnknownProduct, fmt.Sprintf("%q is not in contract %s", clip.Text(p, 60), c.ID))
				e.Value = clip.Text(p, 60)
				inv.add(e)
			}
		}
		var add, remove []catalog.Benefit
		for _, list := range []struct {
			in  []string
			out *[]catalog.Benefit
		}{{a.AddBenefits, &add}, {a.RemoveBenefits, &remove}} {
			for _, b := range list.in {
				ben, err := catalog.ParseBenefit(b)
				if err != nil {
					e := fieldError(api.FieldBenefits, api.FieldBadBenefit, err.Error())
					e.Value = clip.Text(b, 60)
					inv.add(e)
				}
				if !slices.Contains(*list.out, ben) {
					*list.out = append(*list.out, ben)
				}
			}
		}
		byID := map[string]*User{}
		used := map[string]int{}
		for _, u := range users {
			byID[u.ID] = u
			for _, p := range u.Products {
				used[p]++
			}
		}
		var changes []UserChange
		var emails []Email
		for _, id := range a.Users {
			u, ok := byID[strings.ToUpper(id)]
			if !ok {
				e := fieldError(api.FieldUsers, api.FieldUnknownUser, fmt.Sprintf("user %s is not on contract %s", clip.Text(id, 60), c.ID))
				e.Value = clip.Text(id, 60)
				inv.add(e)
				continue
			}
			if err := mayChange(admin, u); err != nil {
				return nil, nil, err
			}
			next := *u
			next.Products = slices.DeleteFunc(slices.Clone(u.Products), func(p string) bool { return slices.Contains(a.RemoveProducts, p) })
			next.Benefits = slices.DeleteFunc(slices.Clone(u.Benefits), func(b catalog.Benefit) bool { return slices.Contains(remove, b) })
			for _, p := range a.AddProducts {
				if !slices.Contains(next.Products, p) {
					next.Products = append(next.Products, p)
				}
			}
			for _, b := range add {
				if !slices.Contains(next.Benefits, b) {
					next.Benefits = append(next.Benefits, b)
				}
			}
			slices.Sort(next.Products)
			slices.Sort(next.Benefits)
			for _, p := range u.Products {
				used[p]--
			}
			for _, p := range next.Products {
				used[p]++
			}
			ch := Change{Action: "unchanged", UserID: u.ID, Email: u.Email, Role: u.Role, Product: next.Products, Benefit: next.Benefits}
			if !slices.Equal(next.Products, u.Products) || !slices.Equal(next.Benefits, u.Benefits) {
				ch.Action = "update"
				changes = append(changes, UserChange{Kind: "update", User: &next, Detail: "assign"})
				if c.Started != nil {
					e, err := s.noticeEmail(c, &next, "benefits_changed")
					if err != nil {
						return nil, nil, err
					}
					emails = append(emails, e)
				}
			}
			report = append(report, ch)
		}
		for p, n := range used {
			if limit, ok := seats[p]; ok && n > limit && slices.Contains(a.AddProducts, p) {
				e := fieldError(api.FieldProducts, api.FieldSeatCap, fmt.Sprintf("%s: %d users for %d seats", p, n, limit))
				e.Value, e.Count, e.Limit = p, n, limit
				inv.add(e)
			}
		}
		if err := inv.orNil(); err != nil {
			return nil, nil, err
		}
		return changes, emails, nil
	}, admin.ID)
	return report, err
}

// RemoveUser takes a user off the contract. An admin cannot remove
// themselves, and a contract keeps at least one manager.
func (s *Service) RemoveUser(ctx context.Context, admin *User, id string) error {
	if !admin.Role.IsAdmin() {
		return ErrNotAdmin
	}
	if !plausibleID(id) {
		return fmt.Errorf("user: %w", ErrNotFound)
	}
	return s.store.ChangeUsers(ctx, admin.ContractID, func(c *Contract, users []*User) ([]UserChange, []Email, error) {
		var target *User
		managers := 0
		for _, u := range users {
			if u.ID == strings.ToUpper(id) {
				target = u
			}
			if u.Role == RoleManager {
				managers++
			}
		}
		switch {
		case target == nil:
			return nil, nil, fmt.Errorf("user %s: %w", id, ErrNotFound)
		case target.ID == admin.ID:
			return nil, nil, &InvalidError{Problems: []api.FieldError{*fieldError(api.FieldUsers, api.FieldSelf, "you cannot remove yourself")}}
		case mayChange(admin, target) != nil:
			return nil, nil, mayChange(admin, target)
		case target.Role == RoleManager && managers == 1:
			return nil, nil, &InvalidError{Problems: []api.FieldError{*fieldError(api.FieldUsers, api.FieldLastManager, "a contract keeps at least one contract manager")}}
		}
		return []UserChange{{Kind: "delete", User: target}}, nil, nil
	}, admin.ID)
}

// Users lists the admin's contract.
func (s *Service) Users(ctx context.Context, admin *User) ([]*User, error) {
	if !admin.Role.IsAdmin() {
		return nil, ErrNotAdmin
	}
	return s.store.ListUsers(ctx, admin.ContractID)
}

// SetCaller designates a caller (advanced contracts only, up to the cap).
func (s *Service) SetCaller(ctx context.Context, admin *User, userID string, designate bool) error {
	if !admin.Role.IsAdmin() {
		return ErrNotAdmin
	}
	if !plausibleID(userID) {
		return fmt.Errorf("user: %w", ErrNotFound)
	}
	c, err := s.store.Contract(ctx, admin.ContractID)
	if err != nil {
		return err
	}
	if err := s.mayDesignate(ctx, admin, userID); err != nil {
		return err
	}
	if designate {
		if err := s.checkActive(c); err != nil {
			return err
		}
	}
	if designate && c.Plan != PlanAdvanced {
		e := fieldError(api.FieldCallers, api.FieldNeedsAdvanced, "designated callers come with advanced support; this contract has "+string(c.Plan))
		e.Value = string(c.Plan)
		return &InvalidError{Problems: []api.FieldError{*e}}
	}
	// Under the contract's lock, with the notice in the same transaction:
	// the caller is told exactly when the designation changes.
	return s.store.ChangeUsers(ctx, c.ID, func(c *Contract, users []*User) ([]UserChange, []Email, error) {
		var target *User
		for _, u := range users {
			if u.ID == strings.ToUpper(userID) {
				target = u
			}
		}
		if target == nil {
			return nil, nil, fmt.Errorf("user %s: %w", userID, ErrNotFound)
		}
		if target.Caller == designate {
			return nil, nil, nil
		}
		next := *target
		next.Caller = designate
		kind := "caller_remove"
		if designate {
			kind = "caller_add"
		}
		changes := []UserChange{{Kind: kind, User: &next}}
		if c.Started == nil {
			return changes, nil, nil
		}
		e, err := s.noticeEmail(c, &next, "caller_changed")
		if err != nil {
			return nil, nil, err
		}
		return changes, []Email{e}, nil
	}, admin.ID)
}

// Callers lists the designated callers of the admin's contract.
func (s *Service) Callers(ctx context.Context, admin *User) ([]string, int, error) {
	if !admin.Role.IsAdmin() {
		return nil, 0, ErrNotAdmin
	}
	c, err := s.store.Contract(ctx, admin.ContractID)
	if err != nil {
		return nil, 0, err
	}
	ids, err := s.store.Callers(ctx, c.ID)
	return ids, c.CallerCap, err
}

// Support is how a user reaches support.
type Support = api.Support

// SupportFor says how u reaches support: only the ways u may use. Web and
// email support with the web_support benefit; the phone for designated
// callers of an advanced-support contract who hold phone_support.
func (s *Service) SupportFor(ctx context.Context, u *User) (*Support, error) {
	c, err := s.store.Contract(ctx, u.ContractID)
	if err != nil {
		return nil, err
	}
	r := rightsOf(u, c)
	p := s.profile.Support
	sup := &Support{Plan: c.Plan, Hours: p.Hours}
	if r.WebSupport() {
		sup.Web, sup.Email = p.Web, p.Email
	}
	var notes []string
	if !r.WebSupport() {
		notes = append(notes, "web and email support are not among your benefits; ask your contract manager")
	}
	switch {
	case r.PhoneSupport() && p.Phone == "":
		notes = append(notes, "the service's operator has configured no support phone number")
	case r.PhoneSupport():
		sup.Phone = p.Phone
	case c.Plan != PlanAdvanced:
		notes = append(notes, "phone support comes with advanced support")
	case !u.Caller:
		notes = append(notes, "phone support is for your contract's designated callers; ask your contract manager")
	default:
		notes = append(notes, "phone support is not among your benefits; ask your contract manager")
	}
	if !p.Configured() {
		notes = []string{"the service's operator has configured no support contact; ask your contract manager"}
	}
	sup.Note = strings.Join(notes, ". ") // clients word each sentence in their language

	return sup, nil
}

// rightsOf are the rights of u's membership on contract c.
func rightsOf(u *User, c *Contract) api.Rights {
	return api.Rights{Role: u.Role, Benefits: u.Benefits, Caller: u.Caller, Plan: c.Plan}
}

// FAQ is one of the questions people ask most.
type FAQ = api.FAQ

// FAQs are answered in English here; the assistant carries its own French.
var FAQs = []FAQ{
	{Question: "My start email has not arrived.", Answer: "It can take 12 to 24 hours. Check your spam folder, then ask your contract manager or support."},
	{Question: "Can I create my own account?", Answer: "No: your contract manager or software coordinator adds you, and you receive a start email."},
	{Question: "Who may call phone support?", Answer: "On advanced-support contracts, the designated callers your contract manager names."},
	{Question: "How do I install on many machines?", Answer: "Build a deployment with 'assistant deploy create' and push it with your deployment tool."},
}

func (s *Service) registerSeat(ctx context.Context, contractID string, reg SeatRegistration, actor string) (int, int, error) {
	machineID, hostname, product := reg.MachineID, reg.Hostname, reg.Product
	c, err := s.store.Contract(ctx, contractID)
	if err != nil {
		return 0, 0, err
	}
	limit := -1
	for _, p := range c.Products {
		if p.Product == product {
			limit = p.Seats
		}
	}
	if limit < 0 {
		return 0, 0, ErrForbidden
	}
	if err := s.checkActive(c); err != nil {
		return 0, 0, err
	}
	if len(machineID) < 8 || len(machineID) > 128 {
		e := fieldError(api.FieldMachineID, api.FieldBadLength, "8 to 128 characters")
		e.Limit = 128
		return 0, 0, &InvalidError{Problems: []api.FieldError{*e}}
	}
	if len(hostname) > 255 {
		return 0, 0, &InvalidError{Problems: []api.FieldError{*tooLong(api.FieldHostname, 255, "characters")}}
	}
	var inv InvalidError
	for _, f := range []struct{ name, value string }{{api.FieldMachineID, machineID}, {api.FieldHostname, hostname}} {
		if err := checkText(f.value); err != nil {
			inv.add(fieldError(f.name, api.FieldBadCharacters, err.Error()))
		}
	}
	if err := inv.orNil(); err != nil {
		return 0, 0, err
	}
	n, err := s.store.RegisterSeat(ctx, c.ID, reg, limit, actor)
	return n, limit, err
}

// SeatKeyPrefix starts every seat registration key, so that a key pasted in
// the wrong place is recognised (and secret scanners can find one).
const SeatKeyPrefix = "onramp-seat-"

// CreateSeatKey makes the key a multi-seat deployment carries so that its
// seats can register themselves, unattended. The key can register seats of
// these products on this contract, up to their seat counts, until the
// contract ends, and nothing else: it reads nothing and downloads nothing.
// The key is returned once; only its hash is kept. Admins with the
// install benefit make keys: the seats they register are installs.
func (s *Service) CreateSeatKey(ctx context.Context, admin *User, products []string) (string, *SeatKey, error) {
	if !admin.Role.IsAdmin() {
		return "", nil, ErrNotAdmin
	}
	c, err := s.store.Contract(ctx, admin.ContractID)
	if err != nil {
		return "", nil, err
	}
	if !rightsOf(admin, c).Install() {
		return "", nil, ErrInstallNotAllowed
	}
	if err := s.checkActive(c); err != nil {
		return "", nil, err
	}
	var inv InvalidError
	products, e := uniqueList(api.FieldProducts, products, maxListValues, nil)
	if e != nil {
		return "", nil, &InvalidError{Problems: []api.FieldError{*e}}
	}
	for _, p := range products {
		if !slices.ContainsFunc(c.Products, func(cp Seats) bool { return cp.Product == p }) {
			e := fieldError(api.FieldProducts, api.FieldUnknownProduct, fmt.Sprintf("%q: not on this contract", clip.Text(p, 60)))
			e.Value = clip.Text(p, 60)
			inv.add(e)
		}
	}
	if len(products) == 0 {
		inv.add(fieldError(api.FieldProducts, api.FieldRequired, "at least one"))
	}
	if err := inv.orNil(); err != nil {
		return "", nil, err
	}
	token, hash := newToken()
	k := &SeatKey{Hash: hash, ID: seatKeyID(hash), ContractID: c.ID, Products: slices.Clone(products), CreatedBy: admin.ID,
		Created: s.now().UTC(), Expires: c.Ends}
	if err := s.store.SaveSeatKey(ctx, *k, admin.ID); err != nil {
		return "", nil, err
	}
	return SeatKeyPrefix + token, k, nil
}

// RegisterSeatWithKey registers a seat of a deployment with its seat key.
func (s *Service) RegisterSeatWithKey(ctx context.Context, key string, reg SeatRegistration) (int, int, error) {
	token, ok := strings.CutPrefix(key, SeatKeyPrefix)
	if !ok {
		return 0, 0, ErrBadCredentials
	}
	k, err := s.store.SeatKeyByHash(ctx, hashToken(token))
	if errors.Is(err, ErrNotFound) || (err == nil && k.Revoked) {
		return 0, 0, ErrBadCredentials
	}
	if err != nil {
		return 0, 0, err
	}
	// A key lives as long as its contract: say the contract ended rather
	// than that the key is bad.
	if err := s.contractActive(ctx, k.ContractID); err != nil {
		return 0, 0, err
	}
	if !s.now().Before(k.Expires) {
		return 0, 0, ErrBadCredentials
	}
	if !slices.Contains(k.Products, reg.Product) {
		return 0, 0, ErrForbidden
	}
	// The key registers in its creator's name: one whose install benefit
	// was taken away registers no more. A creator who left the contract
	// leaves the key to the contract (admins revoke it), so that machines
	// already deployed keep registering.
	if creator, err := s.store.Member(ctx, k.CreatedBy, k.ContractID); err == nil && !slices.Contains(creator.Benefits, catalog.BenefitInstall) {
		return 0, 0, ErrInstallNotAllowed
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		return 0, 0, err
	}
	return s.registerSeat(ctx, k.ContractID, reg, "seat-key:"+seatKeyID(k.Hash))
}

// Package api holds the account service's wire types: the requests and
// answers of its HTTP API under /api/v1, with typed roles, support plans
// and benefits. The service (portal) and its client (account) both use
// them, so the two can never drift apart (a field the client lacked once
// made saving a profile's name erase the phone number).
package api

import (
	"time"

	"onramp.dev/onramp/catalog"
)

// Role is what a user may do on a contract.
type Role string

// Roles.
const (
	RoleManager     Role = "contract_manager"
	RoleCoordinator Role = "software_coordinator"
	RoleUser        Role = "user"
)

// IsAdmin reports whether the role manages users and callers.
func (r Role) IsAdmin() bool { return r == RoleManager || r == RoleCoordinator }

// Plan is a contract's support level.
type Plan string

// Support plans; only advanced contracts have designated callers.
const (
	PlanStandard Plan = "standard"
	PlanAdvanced Plan = "advanced"
)

// Benefit is what a user may do with the products (the catalog's names).
type Benefit = catalog.Benefit

// Seats is a product of a contract and how many seats it has.
type Seats struct {
	Product string `json:"product"`
	Seats   int    `json:"seats"`
}

// Contract is one company's subscription.
type Contract struct {
	ID        string    `json:"id"`
	Company   string    `json:"company"`
	Plan      Plan      `json:"support_plan"`
	CallerCap int       `json:"caller_cap"`
	Starts    time.Time `json:"starts"`
	Ends      time.Time `json:"ends"`
	Products  []Seats   `json:"products"`
	Created   time.Time `json:"created"`
}

// User is a person on a contract, as the API shows them.
type User struct {
	ID                 string    `json:"id"`
	ContractID         string    `json:"contract_id"`
	Email              string    `json:"email"`
	Name               string    `json:"name"`
	Role               Role      `json:"role"`
	Phone              string    `json:"phone,omitempty"`
	Products           []string  `json:"products"`
	Benefits           []Benefit `json:"benefits"`
	Caller             bool      `json:"designated_caller"`
	MustChangePassword bool      `json:"must_change_password"`
	Created            time.Time `json:"created"`
}

// Me is GET /me and PATCH /me's answer: the user with their contract.
type Me struct {
	User     User     `json:"user"`
	Contract Contract `json:"contract"`
}

// ProfileUpdate is PATCH /me: a nil field is left as it is.
type ProfileUpdate struct {
	Name  *string `json:"name,omitempty"`
	Phone *string `json:"phone,omitempty"`
}

// SignIn is POST /session.
type SignIn struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// Refresh is POST /session/refresh.
type Refresh struct {
	RefreshToken string `json:"refresh_token"`
}

// PasswordChange is POST /password.
type PasswordChange struct {
	Current string `json:"current_password"`
	New     string `json:"new_password"`
}

// Session is the answer to a sign-in or a refresh.
type Session struct {
	AccessToken        string    `json:"access_token"`
	AccessExpires      time.Time `json:"access_expires"`
	RefreshToken       string    `json:"refresh_token,omitempty"`
	RefreshExpires     time.Time `json:"refresh_expires,omitzero"`
	UserID             string    `json:"user_id"`
	MustChangePassword bool      `json:"must_change_password"`
}

// NewUser is POST /users: one user to add.
type NewUser struct {
	Email    string   `json:"email"`
	Name     string   `json:"name"`
	Role     Role     `json:"role"`
	Products []string `json:"products"`
	Benefits []string `json:"benefits"`
}

// Change is one change of an import, an addition or an assignment.
type Change struct {
	Line     int       `json:"line,omitempty"`
	Action   string    `json:"action"` // create, update, unchanged
	UserID   string    `json:"user_id,omitempty"`
	Email    string    `json:"email"`
	Role     Role      `json:"role"`
	Added    []string  `json:"added,omitempty"` // products and benefits given
	Products []string  `json:"products"`
	Benefits []Benefit `json:"benefits"`
}

// RowError is one bad line of an import.
type RowError struct {
	Line   int    `json:"line"`
	Code   string `json:"code,omitempty"` // bad_csv, bad_email, bad_name, email_taken, manager_protected
	Reason string `json:"reason"`
}

// Assignment is POST /users/assign: products and benefits given and
// taken, for several users at once, all or nothing.
type Assignment struct {
	Users          []string `json:"users"`
	AddProducts    []string `json:"add_products,omitempty"`
	RemoveProducts []string `json:"remove_products,omitempty"`
	AddBenefits    []string `json:"add_benefits,omitempty"`
	RemoveBenefits []string `json:"remove_benefits,omitempty"`
}

// Support is GET /support: how the user reaches support.
type Support struct {
	Plan  Plan   `json:"plan"`
	Web   string `json:"web"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"` // designated callers only
	Hours string `json:"hours"`
	Note  string `json:"note,omitempty"`
}

// FAQ is one question and its answer.
type FAQ struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// Seat is a machine counted against a product's seats.
type Seat struct {
	ID           string    `json:"id"`
	Product      string    `json:"product"`
	MachineID    string    `json:"machine_id"`
	Hostname     string    `json:"hostname"`
	Registered   time.Time `json:"registered"`
	RegisteredBy string    `json:"registered_by"` // seat-key:ID
}

// SeatRegistration is POST /seats, with a deployment's seat key.
type SeatRegistration struct {
	MachineID string `json:"machine_id"`
	Hostname  string `json:"hostname"`
	Product   string `json:"product"`
}

// SeatKey describes a deployment's seat key; the key itself is shown once,
// when it is made, and never again.
type SeatKey struct {
	ID        string    `json:"id"`
	Products  []string  `json:"products"`
	CreatedBy string    `json:"created_by"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	Revoked   bool      `json:"revoked"`
	Seats     int       `json:"seats_registered"`
}

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
	// Language is the contract's: its emails and pages use it unless a
	// user chose their own (en or fr).
	Language string `json:"language,omitempty"`
	// Started is when the start emails went out; nil while the contract
	// is ordered and its subscription still being prepared.
	Started *time.Time `json:"started,omitempty"`
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
	Language           string    `json:"language,omitempty"` // "" for the contract's
}

// ContractHeader names, on any signed-in request, the contract it acts on
// (its ID), for a person who belongs to several. Without it a request acts
// on the person's oldest membership, so a person with one contract never
// needs it. A contract the person does not belong to is refused with 403
// and the problem code ProblemNotMember, the same answer whether or not
// the contract exists.
const ContractHeader = "Onramp-Contract"

// ProblemNotMember is the problem code of a request whose ContractHeader
// names a contract the person does not belong to.
const ProblemNotMember = "not_a_member"

// Membership is one contract a person belongs to and what they have on it.
type Membership struct {
	ContractID string    `json:"contract_id"`
	Company    string    `json:"company"`
	Role       Role      `json:"role"`
	Products   []string  `json:"products"`
	Benefits   []Benefit `json:"benefits"`
	Caller     bool      `json:"designated_caller"`
	// Status is the contract's: "ordered" (not started yet), "active" or
	// "ended".
	Status string    `json:"status"`
	Joined time.Time `json:"joined"`
}

// Me is GET /me and PATCH /me's answer: the person with the membership the
// request acted on (User's contract_id, role, products, benefits and
// designated_caller are that membership's), its contract, and every
// membership of the person, oldest first.
type Me struct {
	User        User         `json:"user"`
	Contract    Contract     `json:"contract"`
	Memberships []Membership `json:"memberships"`
}

// ProfileUpdate is PATCH /me: a nil field is left as it is.
type ProfileUpdate struct {
	Name  *string `json:"name,omitempty"`
	Phone *string `json:"phone,omitempty"`
	// Language of the user's emails: en, fr, or "" for the contract's.
	Language *string `json:"language,omitempty"`
}

// EmailChange is POST /me/email: a person's own new address. It changes
// only when the person opens the link sent to it (single use, for
// EmailChangeTTL); the old address is then told. The answer (202,
// EmailChangeRequested) is the same whether or not the address is free.
type EmailChange struct {
	Email string `json:"email"`
}

// EmailChangeRequested is the answer to an EmailChange: where the link
// went, and until when it works.
type EmailChangeRequested struct {
	Email   string    `json:"email"`
	Expires time.Time `json:"expires"`
}

// SignIn is POST /session.
type SignIn struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// PasswordResetRequest is POST /password-resets: email a link to choose a
// new password to the account with this user ID or email, if there is one.
type PasswordResetRequest struct {
	Login string `json:"login"`
}

// PasswordResetAccepted is the answer to every PasswordResetRequest the
// service takes, whether or not the account exists (202).
type PasswordResetAccepted struct {
	Message string `json:"message"`
}

// StartEmailRequest is POST /users/{id}/start-email. EndSessions confirms
// a new start email to a user who has chosen their own password: it
// replaces that password and ends every session of the user.
type StartEmailRequest struct {
	EndSessions bool `json:"end_sessions,omitempty"`
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
	Language string   `json:"language,omitempty"` // en or fr; "" for the contract's
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
	// NameDiffers is the member's name (action unchanged or update), when
	// the addition gave another: an addition never renames a member, the
	// admin confirms a new name apart. Only for a person already on the
	// contract: a person from elsewhere keeps their name, unsaid.
	NameDiffers string `json:"name_differs,omitempty"`
}

// RowError is one bad line of an import: a stable code (one of RowCodes)
// with its arguments, so that a client words it in its own language, and
// the service's English reason, for logs and scripts.
type RowError struct {
	Line   int    `json:"line"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
	Value  string `json:"value,omitempty"` // the column, role, benefit, email or product the line names
	Limit  int    `json:"limit,omitempty"` // seat_cap: the product's seats; too_many_lines: the most lines a file may have
	Count  int    `json:"count,omitempty"` // seat_cap: how many users the product would have
	Lines  []int  `json:"lines,omitempty"` // duplicate_email: the line with the first one; seat_cap: the lines that ask for it
}

// The codes of an import's bad lines.
const (
	RowBadCSV           = "bad_csv"           // not a CSV line
	RowBadEncoding      = "bad_encoding"      // the file is neither UTF-8 nor Windows-1252; Value: the encoding when known (UTF-16)
	RowBadHeader        = "bad_header"        // the first line does not name the columns
	RowUnknownColumn    = "unknown_column"    // Value: the column
	RowTooManyLines     = "too_many_lines"    // Limit
	RowBadEmail         = "bad_email"         // not an email address
	RowBadName          = "bad_name"          // too long, or with control characters
	RowDuplicateEmail   = "duplicate_email"   // Value: the email; Lines: the first line with it
	RowBadRole          = "bad_role"          // Value: the role
	RowBadLanguage      = "bad_language"      // Value: the language; en, fr or empty
	RowBadBenefit       = "bad_benefit"       // Value: the benefit
	RowUnknownProduct   = "unknown_product"   // Value: the product, not on the contract
	RowManagerOnly      = "manager_only"      // only a contract manager may name another
	RowEmailTaken       = "email_taken"       // the address belongs to another account
	RowManagerProtected = "manager_protected" // a contract manager changed by a coordinator
	RowSeatCap          = "seat_cap"          // Value: the product; Count users for Limit seats, on Lines
	RowContractFull     = "contract_full"     // Count users the contract would have, Limit the most
)

// RowCodes are every code an import's bad line may have.
var RowCodes = []string{RowBadCSV, RowBadEncoding, RowBadHeader, RowUnknownColumn, RowTooManyLines, RowBadEmail, RowBadName, RowDuplicateEmail,
	RowBadRole, RowBadBenefit, RowUnknownProduct, RowManagerOnly, RowEmailTaken, RowManagerProtected, RowSeatCap, RowContractFull, RowBadLanguage}

// FieldError is one refused value of a request (the fields of an
// "invalid" or a "too_long" problem): which field, why as a stable code
// (one of FieldCodes) with its arguments, and the service's English reason.
type FieldError struct {
	Field  string `json:"field"` // one of the Field names
	Code   string `json:"code"`
	Reason string `json:"reason"`
	Value  string `json:"value,omitempty"` // the product, plan or user refused
	Limit  int    `json:"limit,omitempty"` // too_long, bad_length: the most; seat_cap: the seats
	Count  int    `json:"count,omitempty"` // seat_cap: how many users the product would have
}

func (e FieldError) Error() string { return e.Reason }

// The fields a FieldError names.
const (
	FieldName         = "name"
	FieldEmail        = "email"
	FieldPhone        = "phone"
	FieldLogin        = "login"
	FieldPassword     = "password"
	FieldRefreshToken = "refresh_token"
	FieldQuery        = "q"
	FieldCompany      = "company"
	FieldManagerName  = "manager_name"
	FieldManagerEmail = "manager_email"
	FieldPlan         = "support_plan"
	FieldProducts     = "products"
	FieldSeats        = "seats"
	FieldBenefits     = "benefits"
	FieldUsers        = "users"
	FieldCallers      = "callers"
	FieldMachineID    = "machine_id"
	FieldHostname     = "hostname"
	FieldLanguage     = "language"
)

// FieldNames are every field a FieldError may name.
var FieldNames = []string{FieldName, FieldEmail, FieldPhone, FieldLogin, FieldPassword, FieldRefreshToken, FieldQuery, FieldCompany,
	FieldManagerName, FieldManagerEmail, FieldPlan, FieldProducts, FieldSeats, FieldBenefits, FieldUsers, FieldCallers, FieldMachineID, FieldHostname, FieldLanguage}

// The codes of a FieldError.
const (
	FieldTooLong        = "too_long"        // Limit: the most characters
	FieldBadLength      = "bad_length"      // machine_id: 8 to Limit characters
	FieldBadCharacters  = "bad_characters"  // invalid UTF-8, control or bidirectional-text characters
	FieldRequired       = "required"        // empty
	FieldNotEmail       = "not_email"       // not an email address
	FieldUnknownProduct = "unknown_product" // Value: the product, not on the contract or in the catalog
	FieldBadSeats       = "bad_seats"       // Value: the product; Limit: the most seats
	FieldBadPlan        = "bad_plan"        // Value: the plan
	FieldBadBenefit     = "bad_benefit"     // Value: the benefit
	FieldSeatCap        = "seat_cap"        // Value: the product; Count users for Limit seats
	FieldUnknownUser    = "unknown_user"    // Value: the user ID, not on the contract
	FieldSelf           = "self"            // an admin cannot remove themselves
	FieldLastManager    = "last_manager"    // a contract keeps at least one contract manager
	FieldNeedsAdvanced  = "needs_advanced"  // Value: the plan; callers come with advanced support
	FieldTooMany        = "too_many"        // a list: Count distinct values, Limit the most
	FieldDuplicate      = "duplicate"       // Value: listed twice
	FieldContractFull   = "contract_full"   // Count users the contract would have, Limit the most
	FieldBadLanguage    = "bad_language"    // Value: the language; en or fr
	FieldSignedIn       = "signed_in"       // the person has signed in: their address is theirs to change
	FieldBadRole        = "bad_role"        // Value: the role; contract_manager, software_coordinator or user
)

// FieldCodes are every code a FieldError may have.
var FieldCodes = []string{FieldTooLong, FieldBadLength, FieldBadCharacters, FieldRequired, FieldNotEmail, FieldUnknownProduct,
	FieldBadSeats, FieldBadPlan, FieldBadBenefit, FieldSeatCap, FieldUnknownUser, FieldSelf, FieldLastManager, FieldNeedsAdvanced,
	FieldTooMany, FieldDuplicate, FieldContractFull, FieldBadLanguage, FieldSignedIn, FieldBadRole}

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

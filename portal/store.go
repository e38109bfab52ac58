package portal

import (
	"errors"
	"time"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/catalog"
)

// The API's wire types (package api) are the service's own: the client
// decodes exactly what is encoded here.
type (
	// Role is what a user may do on a contract.
	Role = api.Role
	// SupportPlan is a contract's support level.
	SupportPlan = api.Plan
	// Contract is one company's subscription.
	Contract = api.Contract
	// Seats is a product of a contract and how many seats it has.
	Seats = api.Seats
)

// Roles and support plans.
const (
	RoleManager     = api.RoleManager
	RoleCoordinator = api.RoleCoordinator
	RoleUser        = api.RoleUser
	PlanStandard    = api.PlanStandard
	PlanAdvanced    = api.PlanAdvanced
)

// User is a person on a contract. Its JSON is api.User's (a test holds
// them together); the password's state never leaves the service.
type User struct {
	ID                 string            `json:"id"`
	ContractID         string            `json:"contract_id"`
	Email              string            `json:"email"`
	Name               string            `json:"name"`
	Role               Role              `json:"role"`
	Phone              string            `json:"phone,omitempty"`
	Products           []string          `json:"products"`
	Benefits           []catalog.Benefit `json:"benefits"`
	Caller             bool              `json:"designated_caller"`
	MustChangePassword bool              `json:"must_change_password"`
	Created            time.Time         `json:"created"`
	Language           string            `json:"language,omitempty"` // "" for the contract's
	passwordHash       string
	tempExpires        time.Time // when the temporary password stops working
	tempUsed           bool      // a sign-in used the temporary password
	// joining: the person has an account already, and is being added to
	// this contract (a create change then adds only the membership).
	joining bool
	// accountCreated is when the person's account was made; Created,
	// when they joined this contract. A person who joined with an account
	// made before has their own password: start emails to them carry none.
	accountCreated time.Time
}

// TemporaryPasswordExpires is when the person's temporary password stops
// working; zero when they have none.
func (u *User) TemporaryPasswordExpires() time.Time { return u.tempExpires }

// hadAccount: the person had an account before joining this contract.
func (u *User) hadAccount() bool {
	return u.joining || (!u.accountCreated.IsZero() && u.accountCreated.Before(u.Created))
}

// Membership is one contract of a person, with the contract's end (its
// Status is "ordered" or "active": the service tells "ended" by its clock).
type Membership struct {
	api.Membership
	Ends time.Time
}

// Email is one message in the outbox.
type Email struct {
	ID      int64      `json:"id"`
	To      string     `json:"to"`
	Kind    string     `json:"kind"` // order_confirmation, start, benefits_changed, caller_changed, password_reset
	Subject string     `json:"subject"`
	Body    string     `json:"body"`           // the text/plain part
	HTML    string     `json:"html,omitempty"` // the text/html part; "" for a plain email
	Created time.Time  `json:"created"`
	SentAt  *time.Time `json:"sent_at,omitempty"`
	link    *pageLink  // the token of the email's link, stored with the email
	// A notice waits until notBefore, and a newer notice to the same user
	// replaces it while it waits: several changes in a short time make one
	// email, which tells the user's state after them.
	userID     string
	contractID string // the membership a notice is about: it replaces only that one's
	notBefore  time.Time
	// toggle: the notice tells a yes-or-no state (designated caller or
	// not); one that finds a notice of its kind still waiting puts the
	// state back as the user last heard it, so both go, unsent.
	toggle bool
	// merged writes this notice as account_changed, telling every part of
	// the user's state: it goes instead when a notice of another kind is
	// still waiting for the user, so that their changes of the last
	// minutes make one email. Rendered only then.
	merged func() (Email, error)
}

// Token is a stored session token: only its hash is kept.
type Token struct {
	Hash    string
	UserID  string
	Kind    string // access or refresh
	Family  string // refresh tokens of one sign-in share a family
	Expires time.Time
	Revoked bool
	Used    bool // a refresh token that was exchanged
}

// Errors the store returns.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrForbidden = errors.New("forbidden")
)

// UserChange is one change an import or an admin makes.
type UserChange struct {
	// create, update, delete, start_email (a new temporary password),
	// caller_add, caller_remove, email, contract (User nil: its new caller
	// cap, end and seats), contract_start (User nil)
	Kind         string
	User         *User
	Contract     *Contract  // contract only
	PasswordHash string     // create and start_email only
	Detail       string     // for the audit log
	Started      *time.Time // contract_start only: when the contract started
}

// ErrStarted: the contract has started already.
var ErrStarted = errors.New("the contract has already started")

// ErrCallerCap: the contract has as many designated callers as it may.
var ErrCallerCap = errors.New("the contract has reached its number of designated callers")

// SeatKey lets the seats of a deployment register themselves: it can do
// nothing else. Only its hash is stored.
type SeatKey struct {
	Hash       string    `json:"-"`
	ID         string    `json:"id"` // the start of Hash: how admins name it
	ContractID string    `json:"-"`
	Products   []string  `json:"products"`
	CreatedBy  string    `json:"created_by"`
	Created    time.Time `json:"created"`
	Expires    time.Time `json:"expires"`
	Revoked    bool      `json:"revoked"`
	Seats      int       `json:"seats_registered"` // listings only
}

// ErrNoSeats: every seat of a product is taken.
var ErrNoSeats = errors.New("no free seat left for this product")

// AuditEntry is one recorded change: who, what, when.
type AuditEntry struct {
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	ContractID string    `json:"contract_id"`
	Action     string    `json:"action"`
	Detail     string    `json:"detail"`
}

package api

import (
	"slices"
	"time"

	"onramp.dev/onramp/catalog"
)

// Rights is what one membership lets a person do. The service enforces it
// and the clients say why before they try, from the same rules, so that a
// refusal never comes after a long download.
type Rights struct {
	Role     Role
	Benefits []Benefit
	Caller   bool // designated caller
	Plan     Plan // the contract's support plan
}

// RightsOf are the rights of u's membership on contract c.
func RightsOf(u User, c Contract) Rights {
	return Rights{Role: u.Role, Benefits: u.Benefits, Caller: u.Caller, Plan: c.Plan}
}

func (r Rights) has(b Benefit) bool { return slices.Contains(r.Benefits, b) }

// Download: contract managers and software coordinators by their role
// (they prepare deployments for others), users with the download benefit.
// Either way, only the products assigned to the person.
func (r Rights) Download() bool { return r.Role.IsAdmin() || r.has(catalog.BenefitDownload) }

// Install: the install benefit, whatever the role. It also gates seats: a
// seat is an install the service counts.
func (r Rights) Install() bool { return r.has(catalog.BenefitInstall) }

// WebSupport: the web_support benefit.
func (r Rights) WebSupport() bool { return r.has(catalog.BenefitWebSupport) }

// PhoneSupport: designated callers of an advanced-support contract who
// hold the phone_support benefit; any one of the three alone is not enough.
func (r Rights) PhoneSupport() bool {
	return r.Plan == PlanAdvanced && r.Caller && r.has(catalog.BenefitPhoneSupport)
}

// Services are the benefits the person can use, in the catalog's order.
func (r Rights) Services() []Benefit {
	out := []Benefit{}
	for _, b := range catalog.Benefits {
		if (b == catalog.BenefitDownload && r.Download()) || (b == catalog.BenefitInstall && r.Install()) ||
			(b == catalog.BenefitWebSupport && r.WebSupport()) || (b == catalog.BenefitPhoneSupport && r.PhoneSupport()) {
			out = append(out, b)
		}
	}
	return out
}

// ProblemInstallNotAllowed is the problem code (403) of a seat key's
// creation or a seat's registration refused because the person (for a
// seat: the key's creator) lacks the install benefit.
const ProblemInstallNotAllowed = "install_not_allowed"

// UserUpdate is PATCH /users/{id}: an admin changes a person's role, or
// corrects their email address before their first sign-in (a new start
// email goes to the corrected address and the old one's links end). A nil
// field is left as it is.
type UserUpdate struct {
	Role  *Role   `json:"role,omitempty"`
	Email *string `json:"email,omitempty"`
}

// UserUpdated is PATCH /users/{id}'s answer: the person as they are now,
// and where the new start email went when the address was corrected.
type UserUpdated struct {
	User User `json:"user"`
	// StartEmail is set when the address changed: sent to it now, or on
	// StartsOn when the contract has not started.
	StartEmail *StartEmailSent `json:"start_email,omitempty"`
}

// StartEmailSent says where a new start email went; never its password.
type StartEmailSent struct {
	UserID   string     `json:"user_id"`
	Email    string     `json:"email"`
	Expires  time.Time  `json:"expires,omitzero"`
	StartsOn *time.Time `json:"starts_on,omitempty"`
}

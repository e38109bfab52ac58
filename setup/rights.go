package setup

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/api"
	"onramp.dev/onramp/catalog"
)

// ErrNotEntitled: the signed-in person's rights on the contract do not
// allow the action (the RightError says which).
var ErrNotEntitled = errors.New("not entitled")

// RightError names the right a person lacks for a product. It comes before
// anything is downloaded: the service would refuse the same.
type RightError struct {
	Product string
	// Right is the benefit missing (download or install); "" when the
	// product is not assigned to the person.
	Right api.Benefit
}

func (e *RightError) Error() string {
	if e.Right == "" {
		return fmt.Sprintf("%s is not assigned to you", e.Product)
	}
	return fmt.Sprintf("%s: your account lacks the %s benefit", e.Product, e.Right)
}

func (e *RightError) Unwrap() error { return ErrNotEntitled }

// checkRights asks the account service what the signed-in person may do
// and refuses product when they may not download it, or, to install it,
// install. A catalog file has no person: nothing to check.
func (s *Setup) checkRights(ctx context.Context, product string, install bool) error {
	c := s.src.Account()
	if c == nil {
		return nil
	}
	me, err := c.WhoAmI(ctx)
	if err != nil {
		// Rights unknown (the service unreachable, for one): the transfer
		// goes ahead, retries as it does, and the service still refuses
		// what it must.
		return nil
	}
	r := api.RightsOf(me.User, me.Contract)
	switch {
	case !slices.Contains(me.User.Products, product):
		return &RightError{Product: product}
	case install && !r.Install():
		return &RightError{Product: product, Right: catalog.BenefitInstall}
	case !r.Download():
		return &RightError{Product: product, Right: catalog.BenefitDownload}
	}
	return nil
}

// checkInstall refuses a seat key to a person without the install benefit
// (the seats it registers are installs), before anything is downloaded.
func checkInstall(ctx context.Context, c *account.Client) error {
	if c == nil {
		return nil
	}
	me, err := c.WhoAmI(ctx)
	if err != nil {
		return nil // unknown here: the service decides
	}
	if !api.RightsOf(me.User, me.Contract).Install() {
		return &RightError{Product: "seat key", Right: catalog.BenefitInstall}
	}
	return nil
}

func cmpAccount(a, b *account.Client) *account.Client {
	if a != nil {
		return a
	}
	return b
}

package web

import (
	"time"

	"onramp.dev/onramp/portal"
)

// The service's bounds as a client meets them, written out: the tests
// here send requests at and past each, so a bound that changes in portal
// fails them until the documented figure is changed here too.
const (
	accountFailures       = 5 // failed sign-ins an account is allowed in its window
	resetAccountRequests  = 3 // lost-password emails to one account in resetAccountWindow
	resetAccountWindow    = time.Hour
	resetAddressRequests  = 20     // lost-password requests from one address in its window
	maxEmailChangesPerDay = 5      // email change links one person may ask for a day
	maxImportRows         = 50_000 // lines of one import
	maxNameRunes          = 200    // a person's name
	maxPhoneBytes         = 32     // a phone number
	maxListValues         = 100    // distinct products or benefits in one request
	maxAssignUsers        = portal.MaxUserPage
	defaultUserPage       = 200 // users on a page when the request names no limit
	tokenLen              = 43  // a page or session token: 32 random bytes in base64url
)

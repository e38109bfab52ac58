package ui

import (
	"context"
	"errors"
	"net"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/downloader"
	"onramp.dev/onramp/installer"
)

// errorText puts an error into words for people: what happened and what
// to do. The core packages' typed errors choose the sentence; the detail
// (a file, a line, an address) follows it, in the core's own words.
func errorText(err error) string {
	var pe *account.ProblemError
	var ke *account.KeyringError
	var ce *downloader.ChecksumError
	var se *downloader.SpaceError
	var ise *installer.SpaceError
	var ee *installer.ElevationError
	var ne net.Error
	var msg string
	switch {
	case errors.Is(err, context.Canceled):
		return lang.L("Stopped.")
	case errors.As(err, &ke):
		msg = lang.L("The system's password store (keyring) is not available, so the session cannot be kept safely. Unlock or start it, then try again.")
	case errors.Is(err, account.ErrPasswordChangeRequired):
		msg = lang.L("Choose a new password first.")
	case errors.Is(err, account.ErrRateLimited):
		msg = lang.L("Too many attempts. Wait a few minutes, then try again.")
	case errors.Is(err, account.ErrWeakPassword):
		msg = lang.L("This password is too weak: use at least 12 characters, and not your user ID or email.")
	case errors.As(err, &pe) && pe.Code == "bad_credentials":
		msg = lang.L("The user ID or the password is wrong. Check the start email, or ask your contract manager.")
	case errors.Is(err, account.ErrAuth), errors.Is(err, downloader.ErrAuth):
		msg = lang.L("Your session has ended. Sign in again.")
	case errors.Is(err, account.ErrForbidden), errors.Is(err, downloader.ErrForbidden):
		msg = lang.L("Your account does not allow this. Ask your contract manager for the benefit.")
	case errors.As(err, &pe) && pe.Code == "caller_cap":
		msg = lang.L("Every designated caller place of the contract is taken. Remove a caller first.")
	case errors.As(err, &pe) && pe.Code == "no_seats":
		msg = lang.L("Every seat of this product is taken.")
	case errors.As(err, &pe) && pe.Code == "bad_rows":
		msg = lang.L("The file has bad lines; nothing was imported. Correct them and try again.")
	case errors.As(err, &ce):
		msg = lang.L("The download does not match its checksum, so it was deleted. Try again; if it fails again, tell support.")
	case errors.As(err, &se), errors.As(err, &ise):
		msg = lang.L("Not enough free disk space. Free some space, or choose another folder.")
	case errors.As(err, &ee):
		msg = lang.L("This folder needs administrator rights. Choose a folder of your own, or ask IT.")
	case errors.Is(err, installer.ErrLocked):
		msg = lang.L("Another install of this product is running. Wait for it to finish.")
	case errors.Is(err, installer.ErrPackageHash), errors.Is(err, installer.ErrUnsafeArchive):
		msg = lang.L("The package is damaged or unsafe; nothing was installed. Download it again.")
	case catalog.IsIntegrity(err):
		msg = lang.L("The product list could not be verified (signature). Nothing was used from it. Tell IT or support.")
	case errors.As(err, &ne):
		msg = lang.L("The service cannot be reached. Check the network connection, then try again.")
	default:
		msg = lang.L("Something went wrong.")
	}
	return msg + "\n\n" + err.Error()
}

// showError tells the user what went wrong, in a dialog.
func (a *Assistant) showError(err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	d := dialog.NewError(errors.New(errorText(err)), a.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

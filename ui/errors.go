package ui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/downloader"
	"onramp.dev/onramp/installer"
)

// errorText puts an error into words for people, in their language: what
// happened and what to do. The service's problem codes and the core
// packages' typed errors choose the sentence, with their structured
// arguments (a date, a wait, a line); the core's English detail is shown
// only when nothing chose a sentence, as the one clue there is.
func errorText(err error) string {
	var pe *account.ProblemError
	var ie *account.ImportError
	var ke *account.KeyringError
	var ce *downloader.ChecksumError
	var se *downloader.SpaceError
	var ise *installer.SpaceError
	var ee *installer.ElevationError
	var ne net.Error
	if s := coreErrorText(err); s != "" {
		return s
	}
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled):
		return lang.L("Stopped.")
	case errors.As(err, &ie):
		return importErrorText(ie)
	case errors.As(err, &pe) && problemText(pe) != "":
		return problemText(pe)
	case errors.As(err, &ke):
		return lang.L("The system's password store (keyring) is not available, so the session cannot be kept safely. Unlock or start it, then try again.")
	case errors.Is(err, account.ErrPasswordChangeRequired):
		return lang.L("Choose a new password first.")
	case errors.Is(err, account.ErrRateLimited):
		return lang.L("Too many attempts. Wait a few minutes, then try again.")
	case errors.Is(err, account.ErrWeakPassword):
		return lang.L("This password is too weak: use at least 12 characters, and not your user ID or email.")
	case errors.Is(err, account.ErrAuth), errors.Is(err, downloader.ErrAuth):
		return lang.L("Your session has ended. Sign in again.")
	case errors.Is(err, account.ErrForbidden), errors.Is(err, downloader.ErrForbidden):
		return lang.L("Your account does not allow this. Ask your contract manager for the benefit.")
	case errors.As(err, &ce):
		return lang.L("The download does not match its checksum, so it was deleted. Try again; if it fails again, tell support.")
	case errors.As(err, &se), errors.As(err, &ise):
		return lang.L("Not enough free disk space. Free some space, or choose another folder.")
	case errors.As(err, &ee):
		return lang.L("This folder needs administrator rights. Choose a folder of your own, or ask IT.")
	case errors.Is(err, installer.ErrLocked):
		return lang.L("Another install of this product is running. Wait for it to finish.")
	case errors.Is(err, installer.ErrPackageHash), errors.Is(err, installer.ErrUnsafeArchive):
		return lang.L("The package is damaged or unsafe; nothing was installed. Download it again.")
	case catalog.IsIntegrity(err):
		return lang.L("The product list could not be verified (signature). Nothing was used from it. Tell IT or support.")
	case errors.As(err, &ne):
		return lang.L("The service cannot be reached. Check the network connection, then try again.")
	}
	return lang.L("Something went wrong.") + "\n\n" + err.Error()
}

// problemText words the service's stable problem codes; "" for a code
// it does not know.
func problemText(pe *account.ProblemError) string {
	switch pe.Code {
	case "bad_credentials":
		return lang.L("The user ID or the password is wrong. Check the start email, or ask your contract manager.")
	case "temporary_password_used":
		return lang.L("This temporary password has already been used. Sign in with the password you chose, or ask your contract manager for a new start email.")
	case "temporary_password_expired":
		return lang.L("This temporary password has expired. Ask your contract manager for a new start email.")
	case "password_too_common":
		return lang.L("This password is too common: choose one that others are unlikely to use.")
	case "password_rejected":
		return lang.L("This password is not allowed (it is your current one, or it holds your user ID, email or name). Choose another.")
	case "weak_password":
		return lang.L("This password is too weak: use at least 12 characters, and not your user ID or email.")
	case "password_change_required":
		return lang.L("Choose a new password first.")
	case "session_expired", "unauthenticated":
		return lang.L("Your session has ended. Sign in again.")
	case "contract_ended":
		if pe.Ends.IsZero() {
			return lang.L("The contract has ended: downloads, seats and new users stopped with it. Renew the contract to go on.")
		}
		return lang.L("The contract ended on {{.Date}}: downloads, seats and new users stopped with it. Renew the contract to go on.",
			map[string]any{"Date": dateText(pe.Ends)})
	case "manager_protected":
		return lang.L("A contract manager can be changed or removed only by another contract manager.")
	case "email_taken":
		return lang.L("This email address already belongs to an Onramp account. Use another address.")
	case "seat_key_required":
		return lang.L("This deployment needs a seat key. Create the deployment again with seat registration.")
	case "too_large":
		return lang.L("This is too large to send at once. Split the list into several files.")
	case "too_long":
		return lang.L("A field is longer than the service allows. Shorten it.")
	case "rate_limited":
		if pe.RetryAfter <= 0 {
			return lang.L("Too many attempts. Wait a few minutes, then try again.")
		}
		return lang.L("Too many attempts. Try again in {{.Wait}}.", map[string]any{"Wait": durationText(pe.RetryAfter)})
	case "caller_cap":
		return lang.L("Every designated caller place of the contract is taken. Remove a caller first.")
	case "no_seats":
		return lang.L("Every seat of this product is taken.")
	case "bad_rows":
		return lang.L("The file has bad lines; nothing was imported. Correct them and try again.")
	case "forbidden":
		return lang.L("Your account does not allow this. Ask your contract manager for the benefit.")
	case "not_found":
		return lang.L("This is no longer on the contract. Refresh the list.")
	case "conflict":
		return lang.L("Someone else changed this at the same time. Refresh, then try again.")
	case "invalid", "bad_request":
		return lang.L("The service refused a value. Check the fields, then try again.")
	case "internal":
		return lang.L("The account service failed. Try again later.")
	}
	return ""
}

// rowText words one bad line of an import by its code.
func rowText(r account.RowError) string {
	data := map[string]any{"Line": r.Line}
	switch r.Code {
	case "bad_email":
		return lang.L("line {{.Line}}: the email address is not valid", data)
	case "bad_name":
		return lang.L("line {{.Line}}: the name is not valid (too long, or with control characters)", data)
	case "bad_csv":
		return lang.L("line {{.Line}}: not a valid CSV line (email,name,role,products,benefits)", data)
	case "email_taken":
		return lang.L("line {{.Line}}: the email address already belongs to another Onramp account", data)
	case "manager_protected":
		return lang.L("line {{.Line}}: a contract manager can be changed only by another contract manager", data)
	}
	// A code this window does not know yet: the service's words.
	return lang.L("line {{.Line}}", data) + ": " + r.Reason
}

// importErrorText lists every bad line, worded by its code.
func importErrorText(ie *account.ImportError) string {
	lines := []string{lang.L("{{.Count}} bad lines; nothing will be imported until they are corrected:", map[string]any{"Count": len(ie.Rows)})}
	for _, r := range ie.Rows {
		lines = append(lines, rowText(r))
	}
	return strings.Join(lines, "\n")
}

// dateText is a date as the language spoken writes it.
func dateText(t time.Time) string {
	return lang.L("{{.Year}}-{{.Month}}-{{.Day}}", map[string]any{"Year": t.Year(), "Month": fmt.Sprintf("%02d", int(t.Month())), "Day": fmt.Sprintf("%02d", t.Day())})
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

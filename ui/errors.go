package ui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/api"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/downloader"
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
	var ne net.Error
	// The downloader's, the installer's and the core's typed errors first
	// (coreerrors.go), then the service's and the network's.
	if s := coreErrorText(err); s != "" {
		return s
	}
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled):
		return lang.L("Stopped.")
	case errors.Is(err, account.ErrNotForgotten):
		// Before the keyring's own words: the session is still saved.
		return lang.L("You are not fully signed out: the system's password store (keyring) could not forget the session on this computer. Unlock or start it, then sign out again.")
	case errors.Is(err, account.ErrServiceNotTold):
		return lang.L("You are signed out on this computer, but the account service could not be told (it could not be reached). The session ends on the service when it expires.")
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
		if pe.Ask == "support" {
			return lang.L("This temporary password has already been used. Sign in with the password you chose, choose a new one with \"Forgot password?\", or contact support for a new start email.")
		}
		return lang.L("This temporary password has already been used. Sign in with the password you chose, choose a new one with \"Forgot password?\", or ask your contract manager for a new start email.")
	case "temporary_password_expired":
		if pe.Ask == "support" {
			return lang.L("This temporary password has expired. Choose a new password with \"Forgot password?\", or contact support for a new start email.")
		}
		return lang.L("This temporary password has expired. Choose a new password with \"Forgot password?\", or ask your contract manager for a new start email.")
	case "end_sessions_required":
		return lang.L("This user has already signed in and chosen a password: a new start email replaces that password and ends every session of the user.")
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
		if len(pe.Fields) > 0 {
			return fieldsText(pe.Fields)
		}
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
	case "not_started":
		return lang.L("The subscription has not started yet: every user gets their start email when it starts.")
	case "bad_rows":
		return lang.L("The file has bad lines; nothing was imported. Correct them and try again.")
	case api.ProblemNotMember:
		return lang.L("You are not a member of this contract, or no longer are. Choose another contract at the top of the window.")
	case "forbidden":
		return lang.L("Your account does not allow this. Ask your contract manager for the benefit.")
	case "not_found":
		return lang.L("This is no longer on the contract. Refresh the list.")
	case "conflict":
		return lang.L("Someone else changed this at the same time. Refresh, then try again.")
	case "invalid", "bad_request":
		if len(pe.Fields) > 0 {
			return fieldsText(pe.Fields)
		}
		return lang.L("The service refused a value. Check the fields, then try again.")
	case api.ProblemInstallNotAllowed:
		return lang.L("Installing and registering seats need the install benefit: ask your contract manager or software coordinator.")
	case "internal":
		return lang.L("The account service failed. Try again later.")
	}
	return ""
}

// fieldsText words each value the service refused, one a line.
func fieldsText(fields []account.FieldError) string {
	lines := make([]string, len(fields))
	for i, f := range fields {
		lines[i] = fieldText(f)
	}
	return strings.Join(lines, "\n")
}

// fieldText words one refused value by its code, naming its field.
func fieldText(f account.FieldError) string {
	data := map[string]any{"Field": fieldName(f.Field), "Value": f.Value, "Limit": f.Limit, "Count": f.Count}
	switch f.Code {
	case api.FieldTooLong:
		return lang.L("The field “{{.Field}}” is too long: at most {{.Limit}} characters. Shorten it.", data)
	case api.FieldBadLength:
		return lang.L("The field “{{.Field}}” must have 8 to {{.Limit}} characters.", data)
	case api.FieldBadCharacters:
		return lang.L("The field “{{.Field}}” holds characters that are not allowed (control or text-direction characters). Remove them.", data)
	case api.FieldRequired:
		return lang.L("The field “{{.Field}}” is required.", data)
	case api.FieldNotEmail:
		return lang.L("The field “{{.Field}}” is not an email address.", data)
	case api.FieldUnknownProduct:
		return lang.L("The product “{{.Value}}” is not on the contract.", data)
	case api.FieldBadSeats:
		return lang.L("The seats of “{{.Value}}” must be 1 to {{.Limit}}.", data)
	case api.FieldBadPlan:
		return lang.L("Unknown support plan “{{.Value}}”: choose standard or advanced.", data)
	case api.FieldBadBenefit:
		return lang.L("Unknown benefit “{{.Value}}”.", data)
	case api.FieldBadLanguage:
		return lang.L("Unknown language “{{.Value}}”: choose en (English) or fr (French).", data)
	case api.FieldSeatCap:
		return lang.L("“{{.Value}}” would have {{.Count}} users for {{.Limit}} seats. Take it from other users first, or add seats to the contract.", data)
	case api.FieldUnknownUser:
		return lang.L("The user {{.Value}} is no longer on the contract. Refresh the list.", data)
	case api.FieldSelf:
		return lang.L("You cannot remove yourself from the contract.")
	case api.FieldLastManager:
		return lang.L("A contract keeps at least one contract manager: name another one first.")
	case api.FieldTooMany:
		return lang.L("The list “{{.Field}}” has {{.Count}} values: at most {{.Limit}} at once. Split it.", data)
	case api.FieldDuplicate:
		if f.Field == api.FieldEmail {
			// An address given to the account that has it already: by its
			// owner or by an admin; nothing is listed twice.
			return lang.L("This is already the account's email address.")
		}
		return lang.L("The field “{{.Field}}” lists “{{.Value}}” twice.", data)
	case api.FieldContractFull:
		return lang.L("The contract would have {{.Count}} users, and holds at most {{.Limit}}. Remove users first, or ask support.", data)
	case api.FieldSignedIn:
		return lang.L("This person has signed in already: only they can change their email address now.")
	case api.FieldBadRole:
		return lang.L("Unknown role “{{.Value}}”: choose contract manager, software coordinator or user.", data)
	case api.FieldNeedsAdvanced:
		return lang.L("Designated callers come with advanced support; this contract has {{.Plan}} support.", map[string]any{"Plan": planName(api.Plan(f.Value))})
	}
	// A code this window does not know yet: the field, then the service's words.
	return lang.L("The field “{{.Field}}” was refused:", data) + " " + f.Reason
}

// fieldName is a field of the service's requests as people know it.
func fieldName(field string) string {
	switch field {
	case api.FieldName:
		return lang.L("name")
	case api.FieldEmail:
		return lang.L("email address")
	case api.FieldPhone:
		return lang.L("phone number")
	case api.FieldLogin:
		return lang.L("user ID or email")
	case api.FieldPassword:
		return lang.L("password")
	case api.FieldRefreshToken:
		return lang.L("session")
	case api.FieldQuery:
		return lang.L("search")
	case api.FieldCompany:
		return lang.L("company")
	case api.FieldManagerName:
		return lang.L("contract manager's name")
	case api.FieldManagerEmail:
		return lang.L("contract manager's email address")
	case api.FieldPlan:
		return lang.L("support plan")
	case api.FieldLanguage:
		return lang.L("language")
	case api.FieldProducts:
		return lang.L("products")
	case api.FieldSeats:
		return lang.L("seats")
	case api.FieldBenefits:
		return lang.L("benefits")
	case api.FieldUsers:
		return lang.L("users")
	case api.FieldCallers:
		return lang.L("designated callers")
	case api.FieldMachineID:
		return lang.L("machine ID")
	case api.FieldHostname:
		return lang.L("machine name")
	}
	return field
}

// rowText words one bad line of an import by its code, with its arguments.
func rowText(r account.RowError) string {
	lines := make([]string, len(r.Lines))
	for i, n := range r.Lines {
		lines[i] = fmt.Sprint(n)
	}
	data := map[string]any{"Line": r.Line, "Value": r.Value, "Limit": r.Limit, "Count": r.Count, "Lines": strings.Join(lines, ", ")}
	if len(r.Lines) > 0 {
		data["First"] = r.Lines[0]
	}
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
	case api.RowBadEncoding:
		if r.Value != "" {
			return lang.L("The file is in {{.Value}}, which cannot be read: in Excel, save it with “Save As” as “CSV UTF-8 (Comma delimited)”.", data)
		}
		return lang.L("The file is in an encoding other than UTF-8 or Windows-1252, which cannot be read: in Excel, save it with “Save As” as “CSV UTF-8 (Comma delimited)”.", data)
	case api.RowBadHeader:
		return lang.L("line {{.Line}}: the first line must name the columns: email,name,role,products,benefits", data)
	case api.RowUnknownColumn:
		return lang.L("line {{.Line}}: unknown column “{{.Value}}” (the columns are email, name, role, products, benefits)", data)
	case api.RowTooManyLines:
		return lang.L("line {{.Line}}: a file has at most {{.Limit}} lines; split it into several files", data)
	case api.RowDuplicateEmail:
		return lang.L("line {{.Line}}: {{.Value}} is already on line {{.First}}", data)
	case api.RowBadRole:
		return lang.L("line {{.Line}}: unknown role “{{.Value}}” (user, software_coordinator or contract_manager)", data)
	case api.RowBadLanguage:
		return lang.L("line {{.Line}}: unknown language “{{.Value}}” (en, fr, or empty for the contract's)", data)
	case api.RowBadBenefit:
		return lang.L("line {{.Line}}: unknown benefit “{{.Value}}” (download, install, web_support or phone_support)", data)
	case api.RowUnknownProduct:
		return lang.L("line {{.Line}}: the product “{{.Value}}” is not on the contract", data)
	case api.RowManagerOnly:
		return lang.L("line {{.Line}}: only a contract manager may name another contract manager", data)
	case api.RowSeatCap:
		return lang.L("line {{.Line}}: “{{.Value}}” would have {{.Count}} users for {{.Limit}} seats (lines {{.Lines}})", data)
	case api.RowContractFull:
		return lang.L("line {{.Line}}: the contract would have {{.Count}} users, and holds at most {{.Limit}}", data)
	}
	// A code this window does not know yet: the service's words.
	return lang.L("line {{.Line}}", data) + ": " + r.Reason
}

// importErrorText lists every bad line, worded by its code.
func importErrorText(ie *account.ImportError) string {
	lines := []string{plural("{{.Count}} bad lines; nothing will be imported until they are corrected:", len(ie.Rows), map[string]any{"Count": len(ie.Rows)})}
	for _, r := range ie.Rows {
		lines = append(lines, rowText(r))
	}
	return strings.Join(lines, "\n")
}

// showError tells the user what went wrong, in a dialog.
func (a *Assistant) showError(err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	a.tell(lang.L("Error"), theme.ErrorIcon(), errorText(err)).Show()
}

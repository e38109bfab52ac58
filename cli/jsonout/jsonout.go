// Package jsonout holds every document and event the command line prints
// with --json: the interface IT scripts read, in one place, each with the
// field names they depend on. docs/scripting.md describes the same types
// for people; the golden files in cli/testdata hold what each command
// prints, so a change to a shape here, or in a core type a document
// carries (installer.Plan, setup.ProductState...), shows up in review.
//
// A command prints one of two ways. A document command prints one JSON
// document (indented) on standard output. A stream command (fetch,
// download, install, update, repair, deploy create) prints NDJSON: one
// JSON object per line, each with an "event" field saying what it is
// (progress events, then a "result" event, or an "error" event). Field
// names never change meaning; new fields may be added.
package jsonout

import (
	"time"

	"onramp.dev/onramp/account"
	"onramp.dev/onramp/api"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/downloader"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/installer/deploy"
	"onramp.dev/onramp/setup"
	"onramp.dev/onramp/syscheck"
)

// The "event" values of stream commands besides the transfer events
// (downloader.Event: start, resume, progress, retry, stall, restart,
// wait, done) and the install steps (setup.Step: stage, commit, done).
const (
	EventResult = "result" // the command's outcome, its last line
	EventError  = "error"  // the command failed; its last line
	EventPlan   = "plan"   // what an install will do, before anything changes
)

// Error is what every command prints when it fails: a document with
// "error", or in a stream the last line, with "event": "error". Code is
// the exit code.
type Error struct {
	Event string      `json:"event,omitempty"` // "error" in a stream; absent from a document
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what failed: the exit code, the message in words, and
// what to do about it when the message does not say.
type ErrorDetail struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
	// When a command needs a contract chosen (exit 2): why ("choose",
	// "not_a_member", "contract_forgotten"), the contract given or
	// remembered, and the person's memberships to choose from.
	Reason      string           `json:"reason,omitempty"`
	Contract    string           `json:"contract,omitempty"`
	Memberships []api.Membership `json:"memberships,omitempty"`
}

// Version is 'version': the assistant's version, the commit it was built
// from ("unknown" when the build did not record one), the Go release that
// built it, its platform (OS/ARCH), and the publisher profile built into
// it, if any.
type Version struct {
	Version    string `json:"version"`
	Commit     string `json:"commit"`
	Go         string `json:"go"`
	Platform   string `json:"platform"`
	Publisher  string `json:"publisher,omitempty"`
	ServiceURL string `json:"service_url,omitempty"`
}

// SignedIn is 'signin': who is signed in to which service.
type SignedIn struct {
	SignedIn bool   `json:"signed_in"` // always true
	User     string `json:"user"`
	Server   string `json:"server"`
}

// SignedOut is 'signout': whose session ended; Everywhere with
// --everywhere (every session of the account ended).
type SignedOut struct {
	SignedOut  bool   `json:"signed_out"` // always true
	Everywhere bool   `json:"everywhere,omitempty"`
	User       string `json:"user"`
}

// WhoAmI is 'whoami': the account service's answer about the signed-in
// person (user, contract), their memberships with the one acted on
// marked, and how that one was chosen.
type WhoAmI struct {
	*api.Me
	Memberships []Membership `json:"memberships"`
	ChosenBy    string       `json:"chosen_by"` // "flag" (--contract), "remembered" or "default" (the oldest)
}

// Membership is one contract of the signed-in person, as api.Membership,
// with Chosen true for the one commands act on.
type Membership struct {
	api.Membership
	Chosen bool `json:"chosen"`
}

// Contracts is 'contracts list': the person's memberships, the one acted
// on marked, and how it was chosen (as in WhoAmI).
type Contracts struct {
	Memberships []Membership `json:"memberships"`
	ChosenBy    string       `json:"chosen_by"`
}

// ContractChosen is 'contracts use': the contract commands act on from
// now on, and its company.
type ContractChosen struct {
	Contract string `json:"contract"`
	Company  string `json:"company"`
}

// Profile is 'profile': the signed-in user, as api.User.
type Profile = api.User

// EmailChangeRequested is 'profile --email': the address a confirmation
// link went to, and until when it works. The account's address changes
// only once the link is opened; the answer is the same whether or not
// the address is free.
type EmailChangeRequested struct {
	Requested bool      `json:"requested"` // always true
	Email     string    `json:"email"`
	Expires   time.Time `json:"expires"`
}

// PasswordReset is 'password reset': the service took the request; its
// message says what happens next (the same whether the account exists).
type PasswordReset struct {
	Requested bool   `json:"requested"` // always true
	Message   string `json:"message"`
}

// Users is 'users list': a JSON array of api.User.
type Users = []api.User

// Changes is 'users add', 'users import' and 'users assign': what
// changed, or with DryRun what would change.
type Changes struct {
	DryRun  bool         `json:"dry_run"`
	Changes []api.Change `json:"changes"`
}

// UserRemoved is 'users remove': the user ID taken off the contract.
type UserRemoved struct {
	Removed string `json:"removed"`
}

// UserUpdated is 'users set-role' and 'users set-email': the person as
// they are now and, after an email correction, the new start email.
type UserUpdated = api.UserUpdated

// StartEmailSent is 'users resend-start': to whom the new start email
// goes and when its temporary password expires.
type StartEmailSent = account.StartEmail

// Callers is 'callers list': the designated callers' user IDs and the
// contract's cap on them.
type Callers struct {
	Callers []string `json:"callers"`
	Cap     int      `json:"cap"`
}

// CallerSet is 'callers add' (DesignatedCaller true) and 'callers remove'
// (false).
type CallerSet struct {
	User             string `json:"user"`
	DesignatedCaller bool   `json:"designated_caller"`
}

// Support is 'support': the support level and contacts, and the FAQ.
type Support struct {
	Support *api.Support `json:"support"`
	FAQ     []api.FAQ    `json:"faq"`
}

// Seats is 'seats list': the machines counted against the contract's seats.
type Seats struct {
	Seats []api.Seat `json:"seats"`
}

// SeatReleased is 'seats release': the seat ID given back.
type SeatReleased struct {
	Released string `json:"released"`
}

// SeatKeys is 'deploy keys list': the deployments' seat keys (never the
// keys themselves).
type SeatKeys struct {
	Keys []api.SeatKey `json:"keys"`
}

// SeatKeyRevoked is 'deploy keys revoke': the key ID ended.
type SeatKeyRevoked struct {
	Revoked string `json:"revoked"`
}

// CatalogCheck is 'catalog check': whether the signed catalog FILE is
// valid, who signed it, when it expires, what it holds, and every problem
// found.
type CatalogCheck struct {
	File      string           `json:"file"`
	OK        bool             `json:"ok"`
	KeyID     string           `json:"key_id,omitempty"`
	Issued    *time.Time       `json:"issued,omitempty"`
	Expires   *time.Time       `json:"expires,omitempty"`
	Publisher string           `json:"publisher,omitempty"`
	Products  int              `json:"products"`
	Releases  int              `json:"releases"`
	Packages  int              `json:"packages"`
	Problems  []CatalogProblem `json:"problems"` // never null
}

// CatalogProblem is one problem of a catalog check. Kind is "integrity"
// (the envelope, signature or expiry), "schema" (the content; Path, Line
// and Column say where) or "history" (this machine's catalog history
// cannot be read).
type CatalogProblem struct {
	Kind    string `json:"kind"`
	Path    string `json:"path,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

// CatalogShow is 'catalog show': the verified catalog itself.
type CatalogShow = catalog.Catalog

// CatalogSigned is 'catalog sign --out FILE' (without --out, the signed
// catalog itself is printed).
type CatalogSigned struct {
	Out           string  `json:"out"`
	KeyID         string  `json:"key_id"`
	ValidForHours float64 `json:"valid_for_hours"`
}

// CatalogKey is 'catalog keygen': the private key's file, the public key
// to trust, and its ID.
type CatalogKey struct {
	PrivateKeyFile string `json:"private_key_file"`
	PublicKey      string `json:"public_key"`
	KeyID          string `json:"key_id"`
}

// Check is 'check': this machine's facts judged against a product's or a
// requirements file's requirements, each item with what to do about it.
type Check struct {
	Subject  string          `json:"subject"`
	Host     string          `json:"host"`
	Time     time.Time       `json:"time"`
	Target   string          `json:"target"`
	Cache    string          `json:"cache"`
	Status   syscheck.Status `json:"status"`
	Platform string          `json:"platform"`
	Items    []CheckItem     `json:"items"`
	Facts    *syscheck.Facts `json:"facts"`
}

// CheckItem is one requirement's verdict (syscheck.Item's fields) with
// Advice, its fix in words.
type CheckItem struct {
	syscheck.Item
	Advice string `json:"advice,omitempty"`
}

// Products is 'products': each product's state on this machine, and the
// signed-in user's benefits (null with a --catalog file: no account).
type Products struct {
	Products []setup.ProductState `json:"products"`
	Benefits []api.Benefit        `json:"benefits"`
}

// Uninstalled is 'uninstall': Left lists the files Onramp did not
// install and left in place (never null).
type Uninstalled struct {
	Product     string   `json:"product"`
	Uninstalled bool     `json:"uninstalled"` // always true
	Left        []string `json:"left"`
}

// Verified is 'verify': the report (missing and changed files) and
// whether all is as installed.
type Verified struct {
	Report *installer.VerifyReport `json:"report"`
	OK     bool                    `json:"ok"`
}

// RolledBack is 'rollback': the version now installed; Kept lists the
// files Onramp did not install and left in place (never null).
type RolledBack struct {
	Product    string   `json:"product"`
	Version    string   `json:"version"`
	RolledBack bool     `json:"rolled_back"` // always true
	Kept       []string `json:"kept"`
}

// URLScheme is 'register-url-scheme': Registered with the program that
// now opens onramp:// links and what was written, or not, with the reason
// (macOS: the app declares the scheme itself).
type URLScheme struct {
	Registered bool     `json:"registered"`
	Program    string   `json:"program,omitempty"`
	Wrote      []string `json:"wrote,omitempty"`
	Reason     string   `json:"reason,omitempty"`
}

// MachineProfile is 'install-profile': the machine-wide profile's path,
// and Installed (from the file From) or Removed.
type MachineProfile struct {
	Profile   string `json:"profile"`
	Installed bool   `json:"installed,omitempty"`
	From      string `json:"from,omitempty"`
	Removed   bool   `json:"removed,omitempty"`
}

// DeploymentInstalled is 'deploy install': each product's status, the
// log, and what the seat needs (a restart) or did (register itself).
type DeploymentInstalled = setup.DeploymentResult

// TransferEvent is a stream's progress of one download; Event is the
// downloader's (start, resume, progress, retry, stall, restart, wait,
// done). Done and Total are bytes (Total 0 or -1 when unknown), Rate
// bytes per second (0 until measured), URL without credentials or query.
// Attempt and MaxAttempts come with retry and stall.
type TransferEvent struct {
	Event       downloader.Event `json:"event"`
	URL         string           `json:"url"`
	Dest        string           `json:"dest"`
	Done        int64            `json:"done"`
	Total       int64            `json:"total"`
	Rate        int64            `json:"rate"`
	ETASeconds  int64            `json:"eta_seconds"`
	Message     string           `json:"message"`
	Attempt     int              `json:"attempt,omitempty"`
	MaxAttempts int              `json:"max_attempts,omitempty"`
}

// PlanEvent is what an install will do, before it changes anything; it
// is also 'install --plan”s result.
type PlanEvent struct {
	Event string          `json:"event"` // "plan"
	Plan  *installer.Plan `json:"plan"`
}

// StepEvent is an install's step (setup.Step: stage, commit, done):
// Files of Total unpacked so far, and Bytes.
type StepEvent struct {
	Event setup.Step `json:"event"`
	Files int64      `json:"files"`
	Total int64      `json:"total"`
	Bytes int64      `json:"bytes"`
}

// FetchResult is 'fetch”s result event: the verified file and how it
// came (transferred, resumed, from the cache).
type FetchResult struct {
	Event  string             `json:"event"` // "result"
	Result *downloader.Result `json:"result"`
}

// DownloadResult is 'download”s result event: the product's release and
// platform, and the verified file as FetchResult's.
type DownloadResult struct {
	Event    string             `json:"event"` // "result"
	Product  string             `json:"product"`
	Version  string             `json:"version"`
	Platform catalog.Platform   `json:"platform"`
	Result   *downloader.Result `json:"result"`
}

// InstallResult is 'install”s result event. Launch is the program to
// start ("" when unknown); Kept lists the files Onramp did not install and
// left in place (never null); Native: the operating system's installer
// ran it (ProductCode is its product code, for an MSI).
type InstallResult struct {
	Event        string   `json:"event"` // "result"
	Product      string   `json:"product"`
	Version      string   `json:"version"`
	Target       string   `json:"target"`
	Files        int      `json:"files"`
	Launch       string   `json:"launch"`
	Kept         []string `json:"kept"`
	Native       bool     `json:"native"`
	RebootNeeded bool     `json:"reboot_needed"`
	ProductCode  string   `json:"product_code,omitempty"`
}

// UpdateResult is 'update”s result event, printed also when an update
// fails (then the updates done before it, followed by the error event).
type UpdateResult struct {
	Event   string         `json:"event"`   // "result"
	Updates []setup.Update `json:"updates"` // never null
}

// RepairResult is 'repair”s result event: the version whose files were
// restored; Kept as InstallResult's.
type RepairResult struct {
	Event    string   `json:"event"` // "result"
	Product  string   `json:"product"`
	Version  string   `json:"version"`
	Repaired bool     `json:"repaired"` // always true
	Kept     []string `json:"kept"`
}

// DeploymentCreated is 'deploy create”s result event: the folder and
// its deployment.json, with a seat key shown as "(in deployment.json)".
type DeploymentCreated struct {
	Event      string             `json:"event"` // "result"
	Out        string             `json:"out"`
	Deployment *deploy.Deployment `json:"deployment"`
}

package portal

import (
	"onramp.dev/onramp/api"
	"onramp.dev/onramp/internal/clip"

	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"onramp.dev/onramp/catalog"
)

// Service is the account service's logic, independent of HTTP.
type Service struct {
	store *SQLStore
	// PublicURL is where people reach the service (no trailing slash):
	// every link in an email is PublicURL/…. Commands read it from the
	// database's settings (see SetPublicURL), so that one value serves
	// every replica and every command that writes emails.
	PublicURL string
	// profile is the publisher's: its name and support contacts.
	profile Profile
	// releases are the Onramp downloads the start page offers.
	releases *Releases
	// Catalog is the signed catalog the service serves, and the products
	// contracts may include.
	signedCatalog []byte
	catalog       *catalog.Catalog
	now           func() time.Time

	accountLimit *limiter
	addressLimit *limiter
	log          *slog.Logger  // security events and failures; see WithLogger
	maxSession   time.Duration // a sign-in's absolute lifetime; see WithMaxSession
	housekeeping housekeeping
	// TrustedProxies are the proxies whose Forwarded / X-Forwarded-For
	// headers name the client's address; none by default.
	TrustedProxies []netip.Prefix
	maxUsers       int           // see WithMaxContractUsers
	noticeDelay    time.Duration // see WithNoticeDelay
	resets         *resetState
}

// Session lifetimes.
const (
	AccessTTL  = 15 * time.Minute
	RefreshTTL = 30 * 24 * time.Hour
	// DefaultMaxSession is how long a sign-in lives at most, however often
	// its refresh token is exchanged: then the password is asked again.
	DefaultMaxSession = 90 * 24 * time.Hour
)

// NewService serves the given signed catalog (its payload parsed as c);
// publicURL is where people reach it, for the links in emails.
func NewService(store *SQLStore, signedCatalog []byte, c *catalog.Catalog, publicURL string, opts ...Option) *Service {
	s := &Service{
		store: store, PublicURL: strings.TrimRight(publicURL, "/"), signedCatalog: signedCatalog, catalog: c, now: time.Now,
		accountLimit: newLimiter(accountFailures, accountWindow),
		addressLimit: newLimiter(addressFailures, addressWindow),
		log:          slog.New(slog.DiscardHandler),
		maxSession:   DefaultMaxSession,
	}
	for _, o := range opts {
		o(s)
	}
	s.sharedLimits()
	s.watchLimits()
	s.initResets()
	return s
}

// ContractRequest is an order.
type ContractRequest struct {
	Company      string
	ManagerEmail string
	ManagerName  string
	Products     []Seats
	Plan         SupportPlan
	CallerCap    int // advanced plans; default 2
	Term         time.Duration
	// Language of the contract's emails and pages: en (the default) or fr.
	Language string
	// Start is the day the subscription starts and its start emails go
	// out; zero or a time already past starts it now.
	Start time.Time
}

// maxStartAhead is how far ahead a contract may start.
const maxStartAhead = 366 * 24 * time.Hour

// maxContractSeats is the most seats a product of a contract may have.
const maxContractSeats = 100000

// InvalidError lists what is wrong with a request, field by field, each
// with a stable code a client words.
// It keeps the first MaxReportedFields problems and counts the others
// (More): a request of a million bad values costs an answer of a few.
type InvalidError struct {
	Problems []api.FieldError
	More     int
}

// MaxReportedFields bounds an InvalidError's list of problems, and the
// refused values a problem document lists: an answer must not grow with
// the request that caused it.
const MaxReportedFields = 20

func (e *InvalidError) Error() string {
	reasons := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		reasons[i] = p.Reason
	}
	s := "invalid request: " + strings.Join(reasons, "; ")
	if e.More > 0 {
		s += fmt.Sprintf("; and %d more", e.More)
	}
	return s
}

// add notes the problems that are not nil.
func (e *InvalidError) add(problems ...*api.FieldError) {
	for _, p := range problems {
		switch {
		case p == nil:
		case len(e.Problems) >= MaxReportedFields:
			e.More++
		default:
			e.Problems = append(e.Problems, *p)
		}
	}
}

// orNil is e when it holds a problem, else nil.
func (e *InvalidError) orNil() error {
	if len(e.Problems) == 0 {
		return nil
	}
	return e
}

// CreateContract records an order and queues its order confirmation.
// A contract that starts now (no Start, or one already past) queues the
// manager's start email too, with their user ID, a temporary password and
// the link to their start page; one that starts later is ordered until
// then (StartContract), and its manager's temporary password is one
// nobody knows until the start email brings a new one.
func (s *Service) CreateContract(ctx context.Context, r ContractRequest, actor string) (*Contract, *User, error) {
	var inv InvalidError
	if strings.TrimSpace(r.Company) == "" {
		inv.add(fieldError(api.FieldCompany, api.FieldRequired, "required"))
	}
	inv.add(checkName(api.FieldCompany, r.Company), checkName(api.FieldManagerName, r.ManagerName), checkEmailText(api.FieldManagerEmail, r.ManagerEmail))
	addr, err := mail.ParseAddress(r.ManagerEmail)
	if len(r.ManagerEmail) <= MaxEmailBytes && (err != nil || addr.Address != strings.TrimSpace(r.ManagerEmail)) {
		inv.add(fieldError(api.FieldManagerEmail, api.FieldNotEmail, fmt.Sprintf("%q is not an email address", r.ManagerEmail)))
	}
	if r.Plan != PlanStandard && r.Plan != PlanAdvanced {
		e := fieldError(api.FieldPlan, api.FieldBadPlan, fmt.Sprintf("%q: want standard or advanced", r.Plan))
		e.Value = clip.Text(string(r.Plan), 60)
		inv.add(e)
	}
	if len(r.Products) == 0 {
		inv.add(fieldError(api.FieldProducts, api.FieldRequired, "at least one"))
	}
	if len(r.Products) > maxListValues {
		e := fieldError(api.FieldProducts, api.FieldTooMany, fmt.Sprintf("more than %d products", maxListValues))
		e.Limit, e.Count = maxListValues, len(r.Products)
		inv.add(e)
		r.Products = r.Products[:maxListValues]
	}
	listed := map[string]bool{}
	for _, p := range r.Products {
		if listed[p.Product] {
			e := fieldError(api.FieldProducts, api.FieldDuplicate, fmt.Sprintf("%q is listed twice", clip.Text(p.Product, 60)))
			e.Value = clip.Text(p.Product, 60)
			inv.add(e)
		}
		listed[p.Product] = true
		if _, ok := s.catalog.Product(p.Product); !ok {
			e := fieldError(api.FieldProducts, api.FieldUnknownProduct, fmt.Sprintf("%q: not in the catalog", p.Product))
			e.Value = clip.Text(p.Product, 60)
			inv.add(e)
		}
		if p.Seats <= 0 || p.Seats > maxContractSeats {
			e := fieldError(api.FieldSeats, api.FieldBadSeats, fmt.Sprintf("product %q: seats %d: want 1 to %d", p.Product, p.Seats, maxContractSeats))
			e.Value, e.Limit = clip.Text(p.Product, 60), maxContractSeats
			inv.add(e)
		}
	}
	if r.Term <= 0 {
		r.Term = 365 * 24 * time.Hour
	}
	if r.Language == "" {
		r.Language = Languages[0]
	}
	inv.add(checkLanguage(api.FieldLanguage, r.Language, false))
	now := s.now().UTC()
	if err := inv.orNil(); err != nil {
		return nil, nil, err
	}
	if r.Start.After(now.Add(maxStartAhead)) {
		return nil, nil, fmt.Errorf("start %s: %w", r.Start.Format(time.DateOnly), ErrStartTooLate)
	}
	callerCap := 0
	if r.Plan == PlanAdvanced {
		callerCap = r.CallerCap
		if callerCap <= 0 {
			callerCap = 2
		}
	}
	starts := now
	if r.Start.After(now) {
		starts = r.Start.UTC()
	}
	c := &Contract{ID: newContractID(), Company: strings.TrimSpace(r.Company), Plan: r.Plan, CallerCap: callerCap,
		Starts: starts, Ends: starts.Add(r.Term), Products: r.Products, Created: now, Language: r.Language}
	if !starts.After(now) {
		c.Started = &now
	}
	var products []string
	for _, p := range r.Products {
		products = append(products, p.Product)
	}
	m := &User{ID: newUserID(), ContractID: c.ID, Email: addr.Address, Name: r.ManagerName, Role: RoleManager,
		Products: products, Benefits: slices.Clone(catalog.Benefits), MustChangePassword: true, Created: now,
		tempExpires: now.Add(TemporaryPasswordTTL)}
	// A manager who has an account already joins with it: their ID, name,
	// language and password stay theirs, and the start email carries none.
	accounts, err := s.store.Accounts(ctx, []string{m.Email})
	if err != nil {
		return nil, nil, err
	}
	if a := accounts[normalEmail(m.Email)]; a != nil {
		m.ID, m.Email, m.Name, m.Language, m.MustChangePassword, m.joining = a.ID, a.Email, a.Name, a.Language, a.MustChangePassword, true
	}
	temp := newTemporaryPassword()
	hash := hashTemporary(temp)
	confirmation, err := s.orderConfirmation(c, m)
	if err != nil {
		return nil, nil, err
	}
	emails := []Email{confirmation}
	if c.Started != nil {
		start, err := s.startEmail(c, m, temp)
		if m.joining {
			start, err = s.startExistingEmail(c, m)
		}
		if err != nil {
			return nil, nil, err
		}
		emails = append(emails, start)
	}
	if err := s.store.CreateContract(ctx, c, m, hash, emails, actor); err != nil {
		return nil, nil, err
	}
	return c, m, nil
}

// Session is what a sign-in returns.
type Session = api.Session

// Errors the HTTP layer maps.
var (
	ErrBadCredentials   = errors.New("user ID or password not recognised")
	ErrRateLimited      = errors.New("too many failed sign-ins")
	ErrSessionExpired   = errors.New("session expired or revoked: sign in again")
	ErrPasswordChange   = errors.New("choose a new password first")
	ErrTokenReuse       = errors.New("this session was used from another place and has been closed: sign in again")
	ErrNotAdmin         = errors.New("only contract managers and software coordinators may do this")
	ErrNotEntitledToPkg = errors.New("this product is not assigned to you, or your account lacks the download benefit")
)

// RateLimitError says when to try again.
type RateLimitError struct {
	RetryAfter time.Duration
	// What was limited, in words ("" for failed sign-ins).
	What string
}

func (e *RateLimitError) Error() string {
	what := e.What
	if what == "" {
		what = ErrRateLimited.Error()
	}
	return fmt.Sprintf("%s: try again in %s", what, e.RetryAfter.Round(time.Second))
}
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// SignIn checks a password; address is the client's IP, for rate limits.
// The login is an ID or an email in any spelling (normalizeLogin); every
// spelling of one account counts against that account.
func (s *Service) SignIn(ctx context.Context, login, password, address string) (*Session, error) {
	now := s.now()
	// Each limiter counts the try before the password is checked, and
	// uncounts it if it was not a failure: tries sent at the same moment
	// never get more password checks than the limit allows.
	addr, wait := s.addressLimit.take(ctx, address, now)
	if addr == nil {
		return nil, &RateLimitError{RetryAfter: wait}
	}
	var u *User
	if n, ok := normalizeLogin(login); ok {
		found, err := s.store.UserByLogin(ctx, n)
		if err != nil && !errors.Is(err, ErrNotFound) {
			addr.release(ctx)
			return nil, err
		}
		u = found
	}
	key := accountKey(u, login)
	acct, wait := s.accountLimit.take(ctx, key, now)
	if acct == nil {
		addr.release(ctx)
		return nil, &RateLimitError{RetryAfter: wait}
	}
	hash := dummyHash()
	if u != nil {
		hash = u.passwordHash
	}
	if !CheckPassword(hash, password) || u == nil {
		acct.failed(ctx)
		addr.failed(ctx)
		return nil, ErrBadCredentials
	}
	addr.release(ctx)
	if err := s.checkTemporary(ctx, u); err != nil {
		acct.release(ctx)
		return nil, err
	}
	s.accountLimit.reset(context.WithoutCancel(ctx), key)
	acct.release(ctx)
	return s.issue(ctx, u, newFamily(s.now()), !u.MustChangePassword)
}

// newFamily names a new sign-in: a random token, then the time of the
// sign-in in Unix seconds, which every token of the sign-in carries (the
// family), so that rotation can never carry a sign-in past its absolute
// lifetime.
func newFamily(signedIn time.Time) string {
	f, _ := newToken()
	return f + "." + strconv.FormatInt(signedIn.Unix(), 10)
}

// sessionEnd is when the sign-in of family ends, whatever its tokens say.
// A family from before sign-ins carried their time ends with its current
// refresh token (fallback): it is never extended.
func (s *Service) sessionEnd(family string, fallback time.Time) time.Time {
	if i := strings.LastIndexByte(family, '.'); i >= 0 {
		if secs, err := strconv.ParseInt(family[i+1:], 10, 64); err == nil {
			return time.Unix(secs, 0).Add(s.maxSession)
		}
	}
	return fallback
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// issue makes an access token, and a refresh token unless the user must
// first change the password.
func (s *Service) issue(ctx context.Context, u *User, family string, withRefresh bool) (*Session, error) {
	s.sweepOnSignIn(ctx)
	now := s.now()
	end := s.sessionEnd(family, now.Add(RefreshTTL))
	at, ah := newToken()
	access := earliest(now.Add(AccessTTL), end)
	if err := s.store.SaveToken(ctx, Token{Hash: ah, UserID: u.ID, Kind: "access", Family: family, Expires: access}); err != nil {
		return nil, err
	}
	sess := &Session{AccessToken: at, AccessExpires: access.UTC(), UserID: u.ID, MustChangePassword: u.MustChangePassword}
	if withRefresh {
		rt, rh := newToken()
		refresh := earliest(now.Add(RefreshTTL), end)
		if err := s.store.SaveToken(ctx, Token{Hash: rh, UserID: u.ID, Kind: "refresh", Family: family, Expires: refresh}); err != nil {
			return nil, err
		}
		sess.RefreshToken, sess.RefreshExpires = rt, refresh.UTC()
	}
	return sess, nil
}

// Refresh exchanges a refresh token for a new session. A refresh token is
// good once: presenting a used one means it was copied, and the whole
// sign-in is revoked.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (*Session, error) {
	t, err := s.store.TokenByHash(ctx, hashToken(refreshToken))
	if err != nil || t.Kind != "refresh" {
		return nil, ErrSessionExpired
	}
	if t.Used {
		s.store.RevokeFamily(ctx, t.Family)
		s.event(ctx, "refresh token presented again: its sign-in is revoked", "token_reuse", slog.String("user_id", t.UserID))
		return nil, ErrTokenReuse
	}
	now := s.now()
	end := s.sessionEnd(t.Family, t.Expires)
	if t.Revoked || now.After(t.Expires) || !now.Before(end) {
		return nil, ErrSessionExpired
	}
	u, err := s.store.User(ctx, t.UserID)
	if err != nil {
		return nil, ErrSessionExpired
	}
	rt, rh := newToken()
	next := Token{Hash: rh, UserID: u.ID, Kind: "refresh", Family: t.Family, Expires: earliest(now.Add(RefreshTTL), end)}
	if err := s.store.UseRefresh(ctx, t.Hash, next); err != nil {
		if errors.Is(err, ErrConflict) {
			s.store.RevokeFamily(ctx, t.Family)
			s.event(ctx, "refresh token presented twice at once: its sign-in is revoked", "token_reuse", slog.String("user_id", t.UserID))
			return nil, ErrTokenReuse
		}
		return nil, err
	}
	sess, err := s.issue(ctx, u, t.Family, false)
	if err != nil {
		return nil, err
	}
	sess.RefreshToken, sess.RefreshExpires = rt, next.Expires.UTC()
	return sess, nil
}

// Authenticate resolves an access token to its user.
func (s *Service) Authenticate(ctx context.Context, accessToken string) (*User, *Token, error) {
	t, err := s.store.TokenByHash(ctx, hashToken(accessToken))
	if err != nil || t.Kind != "access" || t.Revoked || s.now().After(t.Expires) {
		return nil, nil, ErrSessionExpired
	}
	u, err := s.store.User(ctx, t.UserID)
	if err != nil {
		return nil, nil, ErrSessionExpired
	}
	return u, t, nil
}

// SignOut revokes the sign-in the access token belongs to.
func (s *Service) SignOut(ctx context.Context, t *Token) error {
	return s.store.RevokeFamily(ctx, t.Family)
}

// SignOutEverywhere revokes every sign-in of the user: other machines, a
// lost laptop, a session someone else opened.
func (s *Service) SignOutEverywhere(ctx context.Context, u *User) error {
	if err := s.store.RevokeUserTokens(ctx, u.ID); err != nil {
		return err
	}
	s.event(ctx, "every session of the user was signed out", "signout_everywhere", slog.String("user_id", u.ID))
	return nil
}

// ChangePassword sets a new password after checking the current one; every
// session of the user ends, the client signs in again. A user still on a
// temporary password proves it with the session its sign-in opened: that
// sign-in used the temporary password up.
// Wrong current passwords count against the account and the address as
// failed sign-ins do; address is the client's IP.
func (s *Service) ChangePassword(ctx context.Context, u *User, current, next, address string) error {
	if !u.MustChangePassword {
		// Counted before the check, as sign-ins are (see SignIn).
		now := s.now()
		addr, wait := s.addressLimit.take(ctx, address, now)
		if addr == nil {
			return &RateLimitError{RetryAfter: wait}
		}
		acct, wait := s.accountLimit.take(ctx, accountKey(u, ""), now)
		if acct == nil {
			addr.release(ctx)
			return &RateLimitError{RetryAfter: wait}
		}
		if !CheckPassword(u.passwordHash, current) {
			acct.failed(ctx)
			addr.failed(ctx)
			return ErrBadCredentials
		}
		acct.release(ctx)
		addr.release(ctx)
	}
	if err := checkNewPassword(next, u, current); err != nil {
		return err
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	return s.store.SetPassword(ctx, u.ID, hash, false, u.ID)
}

// Me is what a user sees of their account.
// Its JSON is api.Me's.
type Me struct {
	User        *User            `json:"user"`
	Contract    *Contract        `json:"contract"`
	Memberships []api.Membership `json:"memberships"`
}

// WhoAmI returns the person on the membership u is, its contract, and
// every membership of the person, oldest first.
func (s *Service) WhoAmI(ctx context.Context, u *User) (*Me, error) {
	c, err := s.store.Contract(ctx, u.ContractID)
	if err != nil {
		return nil, err
	}
	ms, err := s.store.Memberships(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	out := make([]api.Membership, 0, len(ms))
	for _, m := range ms {
		if m.Status == "active" && !s.now().Before(m.Ends) {
			m.Status = "ended"
		}
		out = append(out, m.Membership)
	}
	return &Me{User: u, Contract: c, Memberships: out}, nil
}

// UpdateProfile changes what p sets of u's name, phone and language of
// emails, and u with them.
func (s *Service) UpdateProfile(ctx context.Context, u *User, p api.ProfileUpdate) error {
	name, phone := u.Name, u.Phone
	if p.Name != nil {
		name = strings.TrimSpace(*p.Name)
	}
	if p.Phone != nil {
		phone = strings.TrimSpace(*p.Phone)
	}
	language := u.Language
	if p.Language != nil {
		language = strings.ToLower(strings.TrimSpace(*p.Language))
	}
	if err := checkProfile(name, phone); err != nil {
		return err
	}
	if e := checkLanguage(api.FieldLanguage, language, true); e != nil {
		return &InvalidError{Problems: []api.FieldError{*e}}
	}
	if err := s.store.SetProfile(ctx, u.ID, name, phone); err != nil {
		return err
	}
	if language != u.Language {
		if err := s.store.SetLanguage(ctx, u.ID, language); err != nil {
			return err
		}
	}
	u.Name, u.Phone, u.Language = name, phone, language
	return nil
}

// ErrNotMember: the contract a request names is not one of the person's
// (or does not exist: the answer is the same).
var ErrNotMember = errors.New("you do not belong to this contract")

// maxContractHeader bounds the contract a request names.
const maxContractHeader = 64

// MemberFor is the membership a request acts on: the contract the
// request names (api.ContractHeader), else u's, the oldest.
func (s *Service) MemberFor(ctx context.Context, u *User, contractID string) (*User, error) {
	contractID = strings.TrimSpace(contractID)
	if contractID == "" || contractID == u.ContractID {
		return u, nil
	}
	if !plausibleContractID(contractID) || len(contractID) > maxContractHeader {
		return nil, ErrNotMember
	}
	m, err := s.store.Member(ctx, u.ID, strings.ToUpper(contractID))
	if errors.Is(err, ErrNotFound) {
		return nil, ErrNotMember
	}
	return m, err
}

// Logger is where the service writes security events and failures
// (WithLogger); the HTTP layer writes its request lines there too.
func (s *Service) Logger() *slog.Logger { return s.log }

// SignedCatalog is the catalog as the service serves it, signature and all.
func (s *Service) SignedCatalog() []byte { return s.signedCatalog }

// Profile is the publisher's profile (WithProfile), which the web pages
// name.
func (s *Service) Profile() Profile { return s.profile }

// Releases are the files the start page offers (WithReleases); nil when
// there are none.
func (s *Service) Releases() *Releases { return s.releases }

// PackageFor finds the catalog package a file name belongs to, and checks
// the user may download it: their contract is still running and the
// package is one of their products'.
func (s *Service) PackageFor(ctx context.Context, u *User, name string) (*catalog.Package, error) {
	if err := s.contractActive(ctx, u.ContractID); err != nil {
		return nil, err
	}
	for _, p := range s.catalog.Products {
		for _, r := range p.Releases {
			for _, pkg := range r.Packages {
				if pkg.URL[strings.LastIndex(pkg.URL, "/")+1:] != name {
					continue
				}
				if !(api.Rights{Role: u.Role, Benefits: u.Benefits}).Download() || !slices.Contains(u.Products, p.ID) {
					return nil, ErrNotEntitledToPkg
				}
				return &pkg, nil
			}
		}
	}
	return nil, ErrNotFound
}

package account

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"onramp.dev/onramp/api"
	"onramp.dev/onramp/internal/flock"
	"onramp.dev/onramp/internal/origin"
)

// Client talks to the account service for one user. The refresh token
// goes to the OS keyring; the access token is kept in memory, and with a
// shared client (NewShared) in the keyring beside the refresh token. It is
// safe for concurrent use.
type Client struct {
	server string
	http   *http.Client
	tokens *TokenStore
	// lockDir holds the lock files that serialise refreshes across
	// processes, one per saved session (SessionLockPath); "" with a
	// session no other process shares.
	lockDir string

	// renewing serialises refreshes in this process: the service takes a
	// refresh token once, and ends the sign-in when it sees it again.
	renewing sync.Mutex

	mu      sync.Mutex
	user    string
	access  string
	expires time.Time
	// contract is the contract signed-in requests act on ("": the
	// service's choice, the person's oldest membership); see SetContract.
	contract string
}

// Errors callers branch on (the CLI maps them to exit codes 5 and 6).
var (
	ErrAuth                   = errors.New("sign-in needed or refused")
	ErrPasswordChangeRequired = errors.New("choose a new password first")
	ErrWeakPassword           = errors.New("password too weak")
	ErrForbidden              = errors.New("not entitled")
	ErrRateLimited            = errors.New("too many attempts")
	ErrInsecureServer         = errors.New("the account service must be reached over https (plain http only on a loopback address)")
	ErrRedirect               = errors.New("the account service answered with a redirect, which is not followed")
	ErrEmailTaken             = errors.New("the email address already belongs to an Onramp account")
	ErrServerAddressExtras    = errors.New("give the service's address alone: no user name, password, query or fragment")
	// ErrPasswordChanged: ChangePassword changed the password on the
	// service, then could not sign in with it (the keyring, the network):
	// the temporary password no longer works, the new one does.
	ErrPasswordChanged = errors.New("the new password is set, but signing in with it failed")
	// ErrContractEnded: the contract's end date has passed; downloads,
	// seats and new users stop (ProblemError.Ends says when).
	ErrContractEnded = errors.New("the contract has ended")
)

// RedirectError is a redirect the service answered with. It is never
// followed: the request (a sign-in carries the password) would go to
// whatever address the redirect names. Fix the --server address instead.
type RedirectError struct {
	Status   int
	Location string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%v (%d to %s): give the service's own address with --server", ErrRedirect, e.Status, e.Location)
}

func (e *RedirectError) Unwrap() error { return ErrRedirect }

// ProblemError is an answer of the service in RFC 9457 form.
type ProblemError struct {
	Status     int
	Code       string
	Detail     string
	RetryAfter time.Duration
	Rows       []RowError   // an import's bad lines
	Ends       time.Time    // contract_ended: the contract's end date
	Fields     []FieldError // invalid, too_long: each value refused, by field
	// Ask is who sends a new start email (temporary_password_*): "support"
	// for a contract manager, "admin" for anyone else.
	Ask  string
	kind error
	also error // a broader kind: a contract that ended is also ErrForbidden
}

func (e *ProblemError) Error() string {
	s := e.Detail
	if s == "" {
		s = fmt.Sprintf("account service answered %d (%s)", e.Status, e.Code)
	}
	for _, r := range e.Rows {
		s += fmt.Sprintf("\n  line %d: %s", r.Line, r.Reason)
	}
	return s
}

func (e *ProblemError) Unwrap() []error {
	var out []error
	for _, k := range []error{e.kind, e.also} {
		if k != nil {
			out = append(out, k)
		}
	}
	return out
}

// New makes a client of the service at server, keeping sessions in the
// OS keyring.
func New(server string) (*Client, error) {
	return newClient(server, NewTokenStore(), &http.Client{Timeout: 30 * time.Second})
}

// NewShared makes a client of the service at server whose saved session
// other processes of this user share (commands a script runs at the same
// time, the window): each refresh takes an exclusive lock on the saved
// session's file in lockDir (SessionLockPath) and reads the saved session
// again first, so no two processes present the same refresh token (the
// service would see a reuse and end the sign-in), and a process finding a
// current access token saved by another uses it without refreshing at
// all. lockDir must be the same for every process of this user, whatever
// their configuration file, as the keyring entry is.
func NewShared(server, lockDir string) (*Client, error) {
	c, err := New(server)
	if err != nil {
		return nil, err
	}
	c.lockDir = lockDir
	return c, nil
}

// SessionLockPath is the lock file in lockDir of the session saved for
// user on server: named, like the keyring entry it guards, by the server
// and the user alone (hashed, so that any ID makes a file name).
func SessionLockPath(lockDir, server, user string) string {
	sum := sha256.Sum256([]byte(strings.TrimRight(server, "/") + "\n" + user))
	return filepath.Join(lockDir, hex.EncodeToString(sum[:16])+".lock")
}

// NewWithTokens makes a client that keeps sessions in tokens (for the demo:
// NewMemoryTokenStore).
func NewWithTokens(server string, tokens *TokenStore) (*Client, error) {
	return newClient(server, tokens, &http.Client{Timeout: 30 * time.Second})
}

func newClient(server string, tokens *TokenStore, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(server, "/"))
	if err == nil && (u.User != nil || u.RawQuery != "" || u.Fragment != "") {
		// A password in the address would be sent to the service as Basic
		// credentials and shown in every message and file naming it.
		return nil, fmt.Errorf("account service address %s://%s: %w", u.Scheme, u.Host, ErrServerAddressExtras)
	}
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("account service address %q: want a URL such as https://accounts.example.com", server)
	}
	if u.Scheme != "https" {
		host := u.Hostname()
		ip := net.ParseIP(host)
		if u.Scheme != "http" || !(host == "localhost" || (ip != nil && ip.IsLoopback())) {
			return nil, fmt.Errorf("%s: %w", server, ErrInsecureServer)
		}
	}
	// A redirect comes back as the answer, and becomes a RedirectError.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{server: u.String(), http: hc, tokens: tokens}, nil
}

// Server is the service's address.
func (c *Client) Server() string { return c.server }

// User is the signed-in user's ID, "" before sign-in.
func (c *Client) User() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.user
}

type session = api.Session

// do sends one request; a non-2xx answer becomes a *ProblemError.
func (c *Client) do(ctx context.Context, method, path, token string, in, out any) error {
	return c.doOn(ctx, method, path, token, "", in, out)
}

// doOn sends one request acting on contract ("" for the service's choice).
func (c *Client) doOn(ctx context.Context, method, path, token, contract string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case strings.HasPrefix(token, "SeatKey "):
		req.Header.Set("Authorization", token)
	case token != "":
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contract != "" {
		req.Header.Set(api.ContractHeader, contract)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("account service %s: %w", c.server, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return problemFrom(resp, data)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("account service %s%s: unreadable answer: %w", c.server, path, err)
		}
	}
	return nil
}

func problemFrom(resp *http.Response, data []byte) error {
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		loc := resp.Header.Get("Location")
		if len(loc) > 200 {
			loc = loc[:200] + "…"
		}
		return &RedirectError{Status: resp.StatusCode, Location: loc}
	}
	var p struct {
		Code       string       `json:"code"`
		Detail     string       `json:"detail"`
		RetryAfter int          `json:"retry_after"`
		Rows       []RowError   `json:"rows"`
		Ends       time.Time    `json:"ends"`
		Fields     []FieldError `json:"fields"`
		Ask        string       `json:"ask"`
	}
	json.Unmarshal(data, &p)
	pe := &ProblemError{Status: resp.StatusCode, Code: p.Code, Detail: p.Detail, RetryAfter: time.Duration(p.RetryAfter) * time.Second, Rows: p.Rows, Ends: p.Ends, Fields: p.Fields, Ask: p.Ask}
	switch {
	case p.Code == "contract_ended":
		pe.kind, pe.also = ErrContractEnded, ErrForbidden
		if pe.Detail == "" || !p.Ends.IsZero() {
			pe.Detail = fmt.Sprintf("the contract ended on %s: downloads, seat registration and new users stopped with it; renew the contract to go on (sign-in, support and the lists still work)", p.Ends.Format(time.DateOnly))
		}
	case p.Code == api.ProblemNotMember:
		pe.kind = ErrNotMember
	case problemKind(p.Code) != nil:
		pe.kind = problemKind(p.Code)
	case p.Code == "password_change_required":
		pe.kind = ErrPasswordChangeRequired
	case p.Code == "weak_password":
		pe.kind = ErrWeakPassword
	case p.Code == "email_taken":
		pe.kind = ErrEmailTaken
	case resp.StatusCode == http.StatusUnauthorized:
		pe.kind = ErrAuth
	case resp.StatusCode == http.StatusForbidden:
		pe.kind = ErrForbidden
	case resp.StatusCode == http.StatusTooManyRequests:
		pe.kind = ErrRateLimited
	}
	return pe
}

// SignIn signs in with a password. When the temporary password must still
// be changed, it returns ErrPasswordChangeRequired and the client holds a
// session good only for ChangePassword.
//
// The keyring is checked first: the password leaves this machine only
// when the session it buys can be kept.
func (c *Client) SignIn(ctx context.Context, login, password string) error {
	if err := c.tokens.Probe(ctx, c.server); err != nil {
		return err
	}
	return c.signIn(ctx, login, password)
}

func (c *Client) signIn(ctx context.Context, login, password string) error {
	var s session
	if err := c.do(ctx, http.MethodPost, "/api/v1/session", "", api.SignIn{Login: login, Password: password}, &s); err != nil {
		return err
	}
	if err := c.exclusive(ctx, s.UserID, func() error { return c.adopt(ctx, &s) }); err != nil {
		return err
	}
	if s.MustChangePassword {
		return ErrPasswordChangeRequired
	}
	return nil
}

// adopt keeps a session: the access token in memory, the refresh token in
// the keyring, with the access token when other processes share it.
func (c *Client) adopt(ctx context.Context, s *session) error {
	if s.RefreshToken != "" {
		ss := storedSession{Refresh: s.RefreshToken}
		if c.lockDir != "" {
			ss.Access, ss.AccessExpires = s.AccessToken, s.AccessExpires
		}
		if err := c.tokens.saveSession(ctx, c.server, s.UserID, ss); err != nil {
			return err
		}
	}
	c.mu.Lock()
	c.user, c.access, c.expires = s.UserID, s.AccessToken, s.AccessExpires
	c.mu.Unlock()
	return nil
}

// ChangePassword sets a new password, then signs in with it: the service
// ends every session at a password change. The keyring is checked before
// the password changes: after the change, a keyring that cannot store the
// session would leave the user with a password they never used and no
// session.
func (c *Client) ChangePassword(ctx context.Context, current, next string) error {
	token, user := c.accessToken()
	if token == "" {
		return ErrAuth
	}
	if err := c.tokens.Probe(ctx, c.server); err != nil {
		return err
	}
	if err := c.do(ctx, http.MethodPost, "/api/v1/password", token, api.PasswordChange{Current: current, New: next}, nil); err != nil {
		return err
	}
	if err := c.signIn(ctx, user, next); err != nil {
		return fmt.Errorf("%w: %w", ErrPasswordChanged, err)
	}
	return nil
}

func (c *Client) accessToken() (string, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.access, c.user
}

// Resume continues the saved session of user: a current access token
// saved by another process is used as it is; otherwise the refresh token
// from the keyring buys a new access token (and is replaced by a new one).
func (c *Client) Resume(ctx context.Context, user string) error {
	return c.renew(ctx, user, "")
}

// renew gets user a current access token other than refused (the one the
// service just refused, "" for none), refreshing only when no such token
// is saved. Refreshes are one at a time, in this process and, with a
// shared client, across processes; the saved session is read again once
// it is this one's turn, since the one before may have refreshed it.
func (c *Client) renew(ctx context.Context, user, refused string) error {
	if c.lockDir != "" {
		if ss, err := c.tokens.loadSession(ctx, c.server, user); err == nil && ss.usable(refused) {
			c.use(user, ss)
			return nil
		}
	}
	return c.exclusive(ctx, user, func() error {
		ss, err := c.tokens.loadSession(ctx, c.server, user)
		if err != nil {
			return err
		}
		if ss.usable(refused) {
			c.use(user, ss)
			return nil
		}
		if c.lockDir == "" {
			// Another goroutine of this process may have refreshed: its
			// access token is in memory only.
			c.mu.Lock()
			current := c.user == user && c.access != "" && c.access != refused && time.Until(c.expires) > time.Minute
			c.mu.Unlock()
			if current {
				return nil
			}
		}
		var s session
		if err := c.do(ctx, http.MethodPost, "/api/v1/session/refresh", "", api.Refresh{RefreshToken: ss.Refresh}, &s); err != nil {
			if errors.Is(err, ErrAuth) {
				c.tokens.Delete(ctx, c.server, user)
			}
			return err
		}
		return c.adopt(ctx, &s)
	})
}

// use takes a saved access token as this client's.
func (c *Client) use(user string, ss storedSession) {
	c.mu.Lock()
	c.user, c.access, c.expires = user, ss.Access, ss.AccessExpires
	c.mu.Unlock()
}

// exclusive runs fn as the only refresh of the saved session: the only one
// in this process, and with a shared client the only one of this user's
// processes (the lock file's). The wait ends with ctx.
func (c *Client) exclusive(ctx context.Context, user string, fn func() error) error {
	c.renewing.Lock()
	defer c.renewing.Unlock()
	if c.lockDir == "" {
		return fn()
	}
	if err := os.MkdirAll(c.lockDir, 0o700); err != nil {
		return fmt.Errorf("session lock: %w", err)
	}
	l, err := flock.Acquire(ctx, SessionLockPath(c.lockDir, c.server, user), nil)
	if err != nil {
		return fmt.Errorf("session lock: %w", err)
	}
	defer l.Release()
	return fn()
}

// authed makes a request with the access token, on the chosen contract
// (SetContract), renewing the token once when the service refuses it
// (expired or revoked).
func (c *Client) authed(ctx context.Context, method, path string, in, out any) error {
	return c.authedOn(ctx, c.Contract(), method, path, in, out)
}

// authedOn is authed acting on contract ("" for the service's choice).
func (c *Client) authedOn(ctx context.Context, contract, method, path string, in, out any) error {
	token, user := c.accessToken()
	if token == "" {
		return fmt.Errorf("%w: sign in first", ErrAuth)
	}
	err := c.doOn(ctx, method, path, token, contract, in, out)
	var pe *ProblemError
	if errors.As(err, &pe) && pe.Status == http.StatusUnauthorized {
		if rerr := c.renew(ctx, user, token); rerr == nil {
			token, _ = c.accessToken()
			err = c.doOn(ctx, method, path, token, contract, in, out)
		}
	}
	if contract != "" && errors.Is(err, ErrNotMember) {
		return &NotMemberError{Contract: contract, Err: err}
	}
	return err
}

// Me is the signed-in user with the contract.
type Me = api.Me

// WhoAmI returns the signed-in user and their contract.
func (c *Client) WhoAmI(ctx context.Context) (*Me, error) {
	var me Me
	if err := c.authed(ctx, http.MethodGet, "/api/v1/me", nil, &me); err != nil {
		return nil, err
	}
	return &me, nil
}

// SignOut forgets the signed-in session on this machine, then ends it on
// the service (see SignOutSaved).
func (c *Client) SignOut(ctx context.Context) error {
	_, user := c.accessToken()
	return c.SignOutSaved(ctx, user)
}

// ErrNotForgotten: the keyring could not forget the session (locked,
// unreachable); it is still saved on this machine.
var ErrNotForgotten = errors.New("the session could not be forgotten on this machine")

// ErrServiceNotTold: this machine forgot the session, but the service
// could not be told to end it (ServiceNotToldError says why).
var ErrServiceNotTold = errors.New("signed out on this machine, but the account service could not be told")

// ServiceNotToldError: the session is forgotten here, and the service
// did not answer the sign-out. Nothing on this machine holds the session
// any more; the service ends it when its refresh token expires, or at a
// sign-out everywhere.
type ServiceNotToldError struct {
	Server string
	Err    error
}

func (e *ServiceNotToldError) Error() string {
	return fmt.Sprintf("%v (%s: %v): the session is no longer on this machine, and the service ends it when it expires, or sooner at a sign-out everywhere", ErrServiceNotTold, e.Server, e.Err)
}

func (e *ServiceNotToldError) Unwrap() []error { return []error{ErrServiceNotTold, e.Err} }

// SignOutSaved signs user out without resuming the session first: the
// session is forgotten on this machine first and always (the keyring's
// refresh and access tokens, this client's memory), whether or not the
// service answers; then the service is asked to end it. A service that
// cannot be reached gives a *ServiceNotToldError; a keyring that cannot
// forget gives ErrNotForgotten (the service is still told, when the
// tokens could be read). A session the service had already ended is
// simply signed out.
func (c *Client) SignOutSaved(ctx context.Context, user string) error {
	c.mu.Lock()
	inMemory := storedSession{}
	if c.user == user {
		inMemory = storedSession{Access: c.access, AccessExpires: c.expires}
	}
	c.user, c.access, c.expires = "", "", time.Time{}
	c.mu.Unlock()

	var saved storedSession
	var forgetErr error
	forget := func() error {
		var err error
		saved, err = c.tokens.loadSession(ctx, c.server, user)
		if err != nil && !errors.Is(err, ErrNoSavedSession) {
			forgetErr = err
		}
		if err := c.tokens.Delete(ctx, c.server, user); err != nil {
			forgetErr = err
		}
		return nil
	}
	if err := c.exclusive(ctx, user, forget); err != nil {
		forget() // forgetting must not wait on a lock that failed
	}

	tellErr := c.tellSignOut(ctx, inMemory, saved)
	var errs []error
	if forgetErr != nil {
		errs = append(errs, fmt.Errorf("%w: %w", ErrNotForgotten, forgetErr))
	}
	if tellErr != nil {
		errs = append(errs, &ServiceNotToldError{Server: c.server, Err: tellErr})
	}
	return errors.Join(errs...)
}

// tellSignOut asks the service to end the session, with a current access
// token, or one the saved refresh token buys for the purpose. A session
// the service no longer knows is ended already.
func (c *Client) tellSignOut(ctx context.Context, inMemory, saved storedSession) error {
	token := ""
	switch {
	case inMemory.usable(""):
		token = inMemory.Access
	case saved.usable(""):
		token = saved.Access
	case saved.Refresh != "":
		var s session
		err := c.do(ctx, http.MethodPost, "/api/v1/session/refresh", "", api.Refresh{RefreshToken: saved.Refresh}, &s)
		if errors.Is(err, ErrAuth) {
			return nil
		}
		if err != nil {
			return err
		}
		token = s.AccessToken
	default:
		return nil // nothing left to end
	}
	err := c.do(ctx, http.MethodDelete, "/api/v1/session", token, nil, nil)
	if errors.Is(err, ErrAuth) {
		return nil
	}
	return err
}

// SignOutEverywhere ends every session of the user on the service, on
// every machine, this one included, and then forgets this one here. The
// point is the other machines: if the service cannot be told, nothing is
// forgotten and the error says so, so that it can be tried again.
func (c *Client) SignOutEverywhere(ctx context.Context) error {
	// The account's sessions, whatever contract: a contract left since
	// it was chosen must not stop them from ending.
	if err := c.authedOn(ctx, "", http.MethodDelete, "/api/v1/sessions", nil, nil); err != nil {
		return err
	}
	_, user := c.accessToken()
	if err := c.tokens.Delete(ctx, c.server, user); err != nil {
		return err
	}
	c.mu.Lock()
	c.user, c.access, c.expires = "", "", time.Time{}
	c.mu.Unlock()
	return nil
}

// SignedCatalog fetches the catalog the service serves, still in its signed
// envelope: the caller verifies it against the keys it trusts.
func (c *Client) SignedCatalog(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.server+"/api/v1/catalog", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("account service %s: %w", c.server, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("account service %s/api/v1/catalog: %w", c.server, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, problemFrom(resp, data)
	}
	return data, nil
}

// PackageBase is the address the catalog's relative package URLs resolve
// against on this service.
func (c *Client) PackageBase() string { return c.server + "/api/v1/" }

// DownloadHeader returns the header that authorizes the download of
// rawURL: a current access token, renewed first when it expires within a
// minute, for a URL on the service's own origin (scheme, host and port).
// A URL anywhere else (a CDN, a mirror, an address a catalog names) gets
// no header: the token opens the account's API, and goes to the service
// alone. It lives in memory only, as every access token does.
func (c *Client) DownloadHeader(ctx context.Context, rawURL string) (http.Header, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("package URL: %w", err)
	}
	if !c.origin(u) {
		return nil, nil
	}
	c.mu.Lock()
	token, user, expires, contract := c.access, c.user, c.expires, c.contract
	c.mu.Unlock()
	if token == "" {
		return nil, fmt.Errorf("%w: sign in first", ErrAuth)
	}
	if time.Until(expires) < time.Minute {
		if err := c.Resume(ctx, user); err != nil {
			return nil, err
		}
		token, _ = c.accessToken()
	}
	h := http.Header{"Authorization": {"Bearer " + token}}
	if contract != "" {
		// The download counts against the chosen contract.
		h.Set(api.ContractHeader, contract)
	}
	return h, nil
}

// origin reports whether u is on the service's own origin.
func (c *Client) origin(u *url.URL) bool {
	s, err := url.Parse(c.server)
	return err == nil && origin.Same(s, u)
}

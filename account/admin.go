package account

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"onramp.dev/onramp/api"
)

// User is a user as an admin sees it.
type User = api.User

// Change is one change of an import, an addition or an assignment.
type Change = api.Change

// RowError is a bad line of an import.
type RowError = api.RowError

// FieldError is a value the service refused, by field.
type FieldError = api.FieldError

// ImportError lists an import's bad lines; nothing was imported. It
// unwraps to the service's problem (ErrEmailTaken when every bad line is
// an address another account holds).
type ImportError struct {
	Rows []RowError
	Err  error
}

func (e *ImportError) Unwrap() error { return e.Err }

func (e *ImportError) Error() string {
	s := fmt.Sprintf("%d bad line(s), nothing imported:", len(e.Rows))
	for _, r := range e.Rows {
		s += fmt.Sprintf("\n  line %d: %s", r.Line, r.Reason)
	}
	return s
}

// Users lists the contract's users (admins only).
func (c *Client) Users(ctx context.Context) ([]User, error) {
	var out []User
	return out, c.authed(ctx, http.MethodGet, "/api/v1/users", nil, &out)
}

// UserPage is one page of the contract's users, by email.
type UserPage struct {
	Users  []User `json:"users"`
	Total  int    `json:"total"` // users matching the query, all pages together
	Offset int    `json:"offset"`
}

// UsersPage lists the users whose email, name or ID contains q, from
// offset, at most limit (the service caps it at 1,000).
func (c *Client) UsersPage(ctx context.Context, q string, offset, limit int) (*UserPage, error) {
	v := url.Values{"offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(limit)}}
	if q != "" {
		v.Set("q", q)
	}
	var out UserPage
	if err := c.authed(ctx, http.MethodGet, "/api/v1/users?"+v.Encode(), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllUsers reads every user page by page, so that no answer grows with
// the contract (Users reads them in one answer).
func (c *Client) AllUsers(ctx context.Context) ([]User, error) {
	const page = 1000
	var all []User
	for {
		p, err := c.UsersPage(ctx, "", len(all), page)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Users...)
		if len(p.Users) == 0 || len(all) >= p.Total {
			return all, nil
		}
	}
}

// NewUser is one user to add.
type NewUser = api.NewUser

// AddUser adds one user; they get a start email.
func (c *Client) AddUser(ctx context.Context, u NewUser) (*Change, error) {
	var ch Change
	if err := c.authed(ctx, http.MethodPost, "/api/v1/users", u, &ch); err != nil {
		return nil, err
	}
	return &ch, nil
}

// importTimeout bounds an import's request, which a service answers once
// every line is written.
const importTimeout = 10 * time.Minute

// ImportUsers sends a CSV file; with dryRun nothing changes and the
// changes that would be made are returned.
func (c *Client) ImportUsers(ctx context.Context, csv []byte, dryRun bool) ([]Change, error) {
	path := "/api/v1/users/import"
	if dryRun {
		path += "?" + url.Values{"dry_run": {"true"}}.Encode()
	}
	token, _ := c.accessToken()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.server+path, bytes.NewReader(csv))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/csv; charset=utf-8")
	req.Header.Set("Authorization", "Bearer "+token)
	// An import writes up to a contract's whole list of users, with their
	// start emails, in one transaction: it gets longer than the 30 s of
	// every other request (ctx still cancels it).
	bulk := *c.http
	bulk.Timeout = importTimeout
	resp, err := bulk.Do(req)
	if err != nil {
		return nil, fmt.Errorf("account service %s: %w", c.server, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if resp.StatusCode >= 300 {
		var p struct {
			Rows []RowError `json:"rows"`
		}
		if json.Unmarshal(data, &p) == nil && len(p.Rows) > 0 {
			return nil, &ImportError{Rows: p.Rows, Err: problemFrom(resp, data)}
		}
		return nil, problemFrom(resp, data)
	}
	var out struct {
		Changes []Change `json:"changes"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	return out.Changes, nil
}

// Assignment gives and takes products and benefits for several users.
type Assignment = api.Assignment

// Assign applies an assignment, all or nothing.
func (c *Client) Assign(ctx context.Context, a Assignment) ([]Change, error) {
	var out struct {
		Changes []Change `json:"changes"`
	}
	return out.Changes, c.authed(ctx, http.MethodPost, "/api/v1/users/assign", a, &out)
}

// RemoveUser takes a user off the contract.
func (c *Client) RemoveUser(ctx context.Context, id string) error {
	return c.authed(ctx, http.MethodDelete, "/api/v1/users/"+url.PathEscape(id), nil, nil)
}

// Callers lists the designated callers and the contract's cap.
func (c *Client) Callers(ctx context.Context) ([]string, int, error) {
	var out struct {
		Callers []string `json:"callers"`
		Cap     int      `json:"cap"`
	}
	err := c.authed(ctx, http.MethodGet, "/api/v1/callers", nil, &out)
	return out.Callers, out.Cap, err
}

// SetCaller designates a user as a caller, or takes it back.
func (c *Client) SetCaller(ctx context.Context, id string, designate bool) error {
	method := http.MethodPut
	if !designate {
		method = http.MethodDelete
	}
	return c.authed(ctx, method, "/api/v1/callers/"+url.PathEscape(id), nil, nil)
}

// UpdateProfile changes the user's name and phone; nil leaves one as is.
func (c *Client) UpdateProfile(ctx context.Context, name, phone *string) (*Me, error) {
	var me Me
	return &me, c.authed(ctx, http.MethodPatch, "/api/v1/me", api.ProfileUpdate{Name: name, Phone: phone}, &me)
}

// ChangeEmail asks the service to move the user's account to email: a
// link goes to that address, and the account moves only when it is
// opened. The answer is the same whether or not the address is free.
func (c *Client) ChangeEmail(ctx context.Context, email string) (*api.EmailChangeRequested, error) {
	var out api.EmailChangeRequested
	if err := c.authed(ctx, http.MethodPost, "/api/v1/me/email", api.EmailChange{Email: email}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Support is how the user reaches support.
type Support = api.Support

// FAQ is one question and its answer.
type FAQ = api.FAQ

// Support returns the support level and contacts.
func (c *Client) Support(ctx context.Context) (*Support, error) {
	var s Support
	return &s, c.authed(ctx, http.MethodGet, "/api/v1/support", nil, &s)
}

// FAQ returns the service's FAQ.
func (c *Client) FAQ(ctx context.Context) ([]FAQ, error) {
	var f []FAQ
	return f, c.do(ctx, http.MethodGet, "/api/v1/faq", "", nil, &f)
}

// CreateSeatKey asks for the key a multi-seat deployment carries so its
// seats can register themselves: it registers seats of these products and
// can do nothing else. The service keeps only its hash.
func (c *Client) CreateSeatKey(ctx context.Context, products []string) (key string, expires time.Time, err error) {
	var out struct {
		Key     string    `json:"key"`
		Expires time.Time `json:"expires"`
	}
	err = c.authed(ctx, http.MethodPost, "/api/v1/seat-keys", map[string]any{"products": products}, &out)
	return out.Key, out.Expires, err
}

// RegisterSeatWithKey counts a seat of a deployment, with the deployment's
// seat key instead of a user's session (an unattended install has none).
func RegisterSeatWithKey(ctx context.Context, server, key, machineID, hostname, product string) (used, seats int, err error) {
	c, err := newClient(server, nil, &http.Client{Timeout: 30 * time.Second})
	if err != nil {
		return 0, 0, err
	}
	var out struct {
		Used  int `json:"seats_used"`
		Seats int `json:"seats"`
	}
	err = c.do(ctx, http.MethodPost, "/api/v1/seats", "SeatKey "+key, api.SeatRegistration{MachineID: machineID, Hostname: hostname, Product: product}, &out)
	return out.Used, out.Seats, err
}

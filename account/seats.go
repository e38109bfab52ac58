package account

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Seat is a machine counted against a product's seats.
type Seat struct {
	ID           string    `json:"id"`
	Product      string    `json:"product"`
	MachineID    string    `json:"machine_id"`
	Hostname     string    `json:"hostname"`
	Registered   time.Time `json:"registered"`
	RegisteredBy string    `json:"registered_by"`
}

// SeatKey describes a deployment's seat key; the key itself is shown once,
// when it is made, and never again.
type SeatKey struct {
	ID        string    `json:"id"`
	Products  []string  `json:"products"`
	CreatedBy string    `json:"created_by"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	Revoked   bool      `json:"revoked"`
	Seats     int       `json:"seats_registered"`
}

// Seats lists the seats taken on the contract (admins only).
func (c *Client) Seats(ctx context.Context) ([]Seat, error) {
	var out []Seat
	return out, c.authed(ctx, http.MethodGet, "/api/v1/seats", nil, &out)
}

// ReleaseSeat gives a seat back, so another machine can take it.
func (c *Client) ReleaseSeat(ctx context.Context, id string) error {
	return c.authed(ctx, http.MethodDelete, "/api/v1/seats/"+url.PathEscape(id), nil, nil)
}

// SeatKeys lists the contract's seat keys (admins only).
func (c *Client) SeatKeys(ctx context.Context) ([]SeatKey, error) {
	var out []SeatKey
	return out, c.authed(ctx, http.MethodGet, "/api/v1/seat-keys", nil, &out)
}

// RevokeSeatKey ends a seat key: seats can no longer register with it.
func (c *Client) RevokeSeatKey(ctx context.Context, id string) error {
	return c.authed(ctx, http.MethodDelete, "/api/v1/seat-keys/"+url.PathEscape(id), nil, nil)
}

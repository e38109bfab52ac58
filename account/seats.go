package account

import (
	"context"
	"net/http"
	"net/url"

	"onramp.dev/onramp/api"
)

// Seat is a machine counted against a product's seats.
type Seat = api.Seat

// SeatKey describes a deployment's seat key; the key itself is shown once,
// when it is made, and never again.
type SeatKey = api.SeatKey

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

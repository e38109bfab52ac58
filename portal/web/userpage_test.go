package web

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"onramp.dev/onramp/portal"
)

// The users list pages with ?q=&offset=&limit=: the total counts every
// match, a page holds at most limit, and the search reads email, name
// and ID in any case. Without those parameters the answer is the whole
// list, as before.
func TestUsersPaged(t *testing.T) {
	p, token := portalWithUsers(t, 250, "user%03d@example.com,Person %03d")
	for _, tc := range []struct {
		name     string
		query    string
		status   int
		total, n int
		first    string
	}{
		{"first page", "limit=100", 200, 251, 100, "boss@example.com"},
		{"second page", "offset=100&limit=100", 200, 251, 100, "user099@example.com"},
		{"last page", "offset=200&limit=100", 200, 251, 51, "user199@example.com"},
		{"past the end", "offset=900&limit=100", 200, 251, 0, ""},
		{"default limit", "offset=0", 200, 251, defaultUserPage, "boss@example.com"},
		{"search by name, any case", "q=" + url.QueryEscape("PERSON 01"), 200, 10, 10, "user010@example.com"},
		{"search by email", "q=user249", 200, 1, 1, "user249@example.com"},
		{"limit over the bound", "limit=5000", 400, 0, 0, ""},
		{"negative offset", "offset=-1", 400, 0, 0, ""},
		{"not a number", "limit=ten", 400, 0, 0, ""},
		{"query too long", "q=" + strings.Repeat("a", portal.MaxUserQuery+1), 400, 0, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var page portal.UserPage
			code := p.call(t, "GET", "/api/v1/users?"+tc.query, token, nil, &page)
			if code != tc.status {
				t.Fatalf("status %d, want %d", code, tc.status)
			}
			if code != 200 {
				return
			}
			if page.Total != tc.total || len(page.Users) != tc.n {
				t.Fatalf("total %d, %d users; want %d, %d", page.Total, len(page.Users), tc.total, tc.n)
			}
			if tc.n > 0 && page.Users[0].Email != tc.first {
				t.Errorf("first %s, want %s", page.Users[0].Email, tc.first)
			}
		})
	}
	var all []portal.User
	if code := p.call(t, "GET", "/api/v1/users", token, nil, &all); code != 200 || len(all) != 251 {
		t.Fatalf("unpaged: %d, %d users", code, len(all))
	}
}

// Pages read by the store alone hold the same users, products and
// benefits as the whole list cut in pieces, in the same order; the search
// folds case beyond ASCII on both engines.
func TestUsersPagesMatchTheList(t *testing.T) {
	p := newTestPortal(t)
	token, _ := p.admin(t, "boss@example.com", "quill")
	var csv strings.Builder
	csv.WriteString("email,name,role,products,benefits\n")
	for i := range 40 {
		products, benefits := "", "download"
		if i%10 == 0 { // within the 5 seats
			products, benefits = "quill", "download;web_support"
		}
		fmt.Fprintf(&csv, "u%02d@example.com,Élodie %02d,user,%s,%s\n", 39-i, i, products, benefits)
	}
	if code, out := p.importCSV(t, token, csv.String(), false); code != 200 {
		t.Fatalf("import: %d %v", code, out)
	}
	var all []portal.User
	if code := p.call(t, "GET", "/api/v1/users", token, nil, &all); code != 200 || len(all) != 41 {
		t.Fatalf("unpaged: %d, %d users", code, len(all))
	}
	for _, limit := range []int{1, 7, 41, 100} {
		var paged []portal.User
		for offset := 0; offset < len(all)+limit; offset += limit {
			var page portal.UserPage
			if code := p.call(t, "GET", fmt.Sprintf("/api/v1/users?offset=%d&limit=%d", offset, limit), token, nil, &page); code != 200 {
				t.Fatalf("limit %d offset %d: status %d", limit, offset, code)
			}
			if page.Total != len(all) {
				t.Fatalf("limit %d offset %d: total %d, want %d", limit, offset, page.Total, len(all))
			}
			for _, u := range page.Users {
				paged = append(paged, *u)
			}
		}
		if got, want := fmt.Sprintf("%+v", paged), fmt.Sprintf("%+v", all); got != want {
			t.Fatalf("limit %d: pages differ from the list:\n got %s\nwant %s", limit, got, want)
		}
	}
	var page portal.UserPage
	if code := p.call(t, "GET", "/api/v1/users?q="+url.QueryEscape("élodie 0"), token, nil, &page); code != 200 || page.Total != 10 {
		t.Fatalf("search é: status %d, %d found, want 10", code, page.Total)
	}
}

// BenchmarkUsersPage reads the last page of 1,000 of a 5,000-user
// contract (the window reads its list in such pages).
func BenchmarkUsersPage(b *testing.B) {
	p, token := portalWithUsers(b, 4999, "user%04d@example.com,Person %04d")
	cpu0 := cpuTime()
	for b.Loop() {
		var page portal.UserPage
		if code := p.call(b, "GET", "/api/v1/users?offset=4000&limit=1000", token, nil, &page); code != 200 || len(page.Users) != 1000 {
			b.Fatalf("status %d, %d users", code, len(page.Users))
		}
	}
	reportCPU(b, cpu0)
}

// portalWithUsers is a contract whose manager (boss@example.com, signed
// in: the token) imported n users, line i being format's email and name
// of i, with no products.
func portalWithUsers(t testing.TB, n int, format string) (*testPortal, string) {
	t.Helper()
	p := newTestPortal(t)
	token, _ := p.admin(t, "boss@example.com", "quill")
	var csv strings.Builder
	csv.WriteString("email,name,role,products,benefits\n")
	for i := range n {
		fmt.Fprintf(&csv, format+",user,,download\n", i, i)
	}
	if code, out := p.importCSV(t, token, csv.String(), false); code != 200 {
		t.Fatalf("import: %d %v", code, out)
	}
	return p, token
}

package web

import (
	"testing"
)

// Over HTTP the refusals carry codes a client words.
func TestPasswordProblemCodes(t *testing.T) {
	tests := []struct {
		name, password, code string
	}{
		{"short", "short", "weak_password"},
		{"repeated", "aaaaaaaaaaaa", "password_rejected"},
		{"common", "password1234", "password_too_common"},
	}
	p := newTestPortal(t)
	uid, temp := p.newContract(t, "ana@acme.example", "atlas")
	code, s, _ := signIn(p, uid, temp)
	if code != 200 {
		t.Fatalf("sign-in: %d", code)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var prob Problem
			if code := p.call(t, "POST", "/api/v1/password", s.AccessToken, map[string]string{"current_password": temp, "new_password": tt.password}, &prob); code != 422 || prob.Code != tt.code {
				t.Errorf("%d %+v, want 422 %s", code, prob, tt.code)
			}
		})
	}
}

package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/portal"
)

// The emails tell a person what they can use: a designated caller
// without the phone_support benefit is not told they may call, nor a
// person without web_support that web and email support stay open.
func TestEmailsTellOnlyUsableSupport(t *testing.T) {
	words := map[string]struct{ mayCall, needsBenefit, webOpen string }{
		"en": {"you may call phone support", "the phone support benefit", "Web and email support stay open to you"},
		"fr": {"vous pouvez appeler le support téléphonique", "l'avantage support téléphonique", "Le support en ligne et par e-mail vous reste ouvert"},
	}
	for lang, w := range words {
		t.Run(lang, func(t *testing.T) {
			ctx := context.Background()
			p, _ := newLoggedPortal(t)
			portal.WithNoticeDelay(0)(p.svc) // each notice on its own
			_, admin := mailContract(t, p, lang, "elise@lefevre.example", time.Time{})
			for _, nu := range []portal.NewUser{
				{Email: "no.phone@lefevre.example", Name: "No Phone", Products: []string{"quill"}, Benefits: []string{"download"}},
				{Email: "phone@lefevre.example", Name: "Phone", Products: []string{"quill"}, Benefits: []string{"download", "web_support", "phone_support"}},
			} {
				ch, err := p.svc.AddUser(ctx, admin, nu)
				if err != nil {
					t.Fatal(err)
				}
				if err := p.svc.SetCaller(ctx, admin, ch.UserID, true); err != nil {
					t.Fatal(err)
				}
				if err := p.svc.SetCaller(ctx, admin, ch.UserID, false); err != nil {
					t.Fatal(err)
				}
			}
			texts := func(addr string) string {
				var b strings.Builder
				for _, e := range emailsTo(t, p, addr, "") {
					if e.Kind == "caller_changed" || e.Kind == "account_changed" {
						b.WriteString(e.Body + "\n" + e.HTML + "\n")
					}
				}
				return b.String()
			}
			noPhone, phone := texts("no.phone@lefevre.example"), texts("phone@lefevre.example")
			if noPhone == "" || phone == "" {
				t.Fatalf("no caller emails: %q %q", noPhone, phone)
			}
			if strings.Contains(noPhone, w.mayCall) || !strings.Contains(noPhone, w.needsBenefit) {
				t.Errorf("a caller without phone_support is told:\n%s", noPhone)
			}
			if strings.Contains(noPhone, w.webOpen) {
				t.Errorf("a person without web_support is told web support stays open:\n%s", noPhone)
			}
			if !strings.Contains(phone, w.mayCall) || !strings.Contains(phone, w.webOpen) {
				t.Errorf("a caller with phone_support and web_support is told:\n%s", phone)
			}
		})
	}
}

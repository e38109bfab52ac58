package portal

import (
	"context"
	"fmt"
	"time"
)

// passwordResetEmail is the email with a lost-password link, in English
// and French: the user's language is not known here.
func (s *Service) passwordResetEmail(_ context.Context, u User, link string, expires time.Time) (Email, error) {
	until := expires.UTC().Format("2006-01-02 15:04 MST")
	body := fmt.Sprintf("(Français ci-dessous)\n\n"+
		"Someone asked to choose a new Onramp password for your account (user ID %s).\n\n"+
		"Choose a new password: %s\n\n"+
		"The link works once, until %s. Choosing a new password signs you out everywhere.\n"+
		"If you did not ask, ignore this email: your password stays as it is.\n\n"+
		"---\n\n"+
		"Quelqu'un a demandé à choisir un nouveau mot de passe Onramp pour votre compte (identifiant %s).\n\n"+
		"Choisir un nouveau mot de passe : %s\n\n"+
		"Le lien sert une seule fois, jusqu'au %s. Choisir un nouveau mot de passe vous déconnecte partout.\n"+
		"Si vous n'avez rien demandé, ignorez cet e-mail : votre mot de passe reste le même.\n%s",
		u.ID, link, until, u.ID, link, until, s.helpLines())
	return Email{To: u.Email, Kind: "password_reset", Subject: "Choose a new Onramp password / Choisir un nouveau mot de passe Onramp", Body: body}, nil
}

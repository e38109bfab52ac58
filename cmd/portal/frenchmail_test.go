package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"onramp.dev/onramp/internal/smtptest"
)

// A French company's contract, through the operator's commands and real
// SMTP: `contract create --language fr --start` orders it (the
// confirmation only), `contract start` starts it, and `serve --smtp`
// delivers both emails in French, as multipart/alternative (the text
// first, then the HTML), with the subject encoded and decoded intact.
func TestFrenchContractEmailsOverSMTP(t *testing.T) {
	bin := buildPortal(t)
	cat, key := signedCatalog(t)
	smtpAddr, maildir := smtptest.Start(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "onramp.db")
	addr := freeAddr(t)
	public := "http://" + addr
	profile := filepath.Join(dir, "profile.json")
	os.WriteFile(profile, []byte(`{"publisher": "Acme Logiciels", "service_url": "`+public+`", "catalog_keys": [],
		"support": {"web": "https://aide.acme.example", "email": "aide@acme.example", "phone": "+33 1 23 45 67 89", "hours": "du lundi au vendredi, 9 h – 18 h"}}`), 0o644)
	serveArgs := []string{"--db", db, "--catalog", cat, "--key", key, "--addr", addr, "--smtp", smtpAddr, "--profile", profile}
	first := startReplica(t, bin, append(serveArgs, "--public-url", public)...)
	first.cmd.Process.Kill()
	first.cmd.Wait()

	company := "Bureau d'Études Lefèvre & Fils"
	tomorrow := time.Now().UTC().Add(24 * time.Hour).Format(time.DateOnly)
	var out strings.Builder
	if err := run(context.Background(), []string{"contract", "create", "--db", db, "--catalog", cat, "--key", key, "--company", company,
		"--manager", "elise@lefevre.example", "--manager-name", "Élise Lefèvre", "--product", "atlas:5", "--product", "quill:2",
		"--language", "fr", "--start", tomorrow}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "ordered") || !strings.Contains(out.String(), tomorrow) {
		t.Errorf("contract create said %q", out.String())
	}
	id := regexp.MustCompile(`contract (C\w+)`).FindStringSubmatch(out.String())[1]
	out.Reset()
	if err := run(context.Background(), []string{"contract", "start", id, "--db", db, "--catalog", cat, "--key", key}, &out); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"contract", "start", "--db", db, "--catalog", cat, "--key", key, id}, &out); err == nil ||
		!strings.Contains(err.Error(), "already started") {
		t.Errorf("a second start: %v", err)
	}

	srv := startReplica(t, bin, serveArgs...)
	total := 0
	for total < 2 {
		select {
		case n := <-srv.delivered:
			total += n
		case <-time.After(60 * time.Second):
			t.Fatalf("%d emails delivered in 60 s, want 2", total)
		}
	}

	conf := smtptest.Find(t, maildir, "Votre commande est confirmée\u00a0: "+company)
	start := smtptest.Find(t, maildir, "Commencez à utiliser vos logiciels\u00a0: votre compte Onramp pour "+company)
	for _, m := range []smtptest.Message{conf, start} {
		if ct := m.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative;") {
			t.Errorf("%s: Content-Type %q", m.Subject, ct)
		}
		if raw := m.Header.Get("Subject"); !strings.HasPrefix(raw, "=?utf-8?q?") {
			t.Errorf("the subject is not RFC 2047-encoded: %q", raw)
		}
		if len(m.Order) != 2 || m.Order[0] != "text/plain" || m.Order[1] != "text/html" {
			t.Errorf("%s: parts %v, want text/plain then text/html", m.Subject, m.Order)
		}
		text, page := m.Parts["text/plain"], m.Parts["text/html"]
		for _, want := range []string{"Bonjour Élise Lefèvre,", company, "Atlas CAD", "Quill Notes", "https://aide.acme.example", "aide@acme.example",
			public + "/help?lang=fr", "Acme Logiciels"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the text lacks %q:\n%s", m.Subject, want, text)
			}
		}
		if !strings.Contains(page, `<html lang="fr">`) || !strings.Contains(page, "Bureau d&#39;Études Lefèvre &amp; Fils") || !strings.Contains(page, "Bonjour") {
			t.Errorf("%s: the HTML part:\n%s", m.Subject, page)
		}
		if strings.Contains(text, "+33 1 23 45 67 89") || strings.Contains(text, "Hello") {
			t.Errorf("%s: the phone (for designated callers) or English:\n%s", m.Subject, text)
		}
	}
	ct := conf.Parts["text/plain"]
	if !strings.Contains(ct, "Votre abonnement est en cours de préparation.") || !strings.Contains(ct, "Pas d'e-mail de démarrage dans la journée") {
		t.Errorf("the confirmation does not say the subscription is being prepared, or what to do without a start email:\n%s", ct)
	}
	st := start.Parts["text/plain"]
	for _, want := range []string{"L'abonnement de " + company + " a démarré.", "Produits\u00a0: Atlas CAD et Quill Notes",
		"Mot de passe temporaire\u00a0: ", "Page de démarrage\u00a0: " + public + "/start?t=", "En tant que responsable de contrat"} {
		if !strings.Contains(st, want) {
			t.Errorf("the start email lacks %q:\n%s", want, st)
		}
	}
	// The start page it links to is French too.
	link := regexp.MustCompile(`Page de démarrage\x{a0}: (\S+)`).FindStringSubmatch(st)
	if link == nil {
		t.Fatalf("no start page link:\n%s", st)
	}
	if page := string(fetch(t, link[1])); !strings.Contains(page, `lang="fr"`) || !strings.Contains(page, "Bienvenue dans Onramp") {
		t.Errorf("the start page of a French contract:\n%s", page)
	}
}

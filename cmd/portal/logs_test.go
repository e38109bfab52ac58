package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// serve --log-format json writes a JSON line per security event to
// standard error; an unknown format is a usage error.
func TestServeLogFormat(t *testing.T) {
	cat, key := signedCatalog(t)
	db := testDB(t)
	var ue usageError
	if err := run(context.Background(), []string{"serve", "--db", db, "--catalog", cat, "--key", key, "--log-format", "xml"}, io.Discard); !errors.As(err, &ue) {
		t.Fatalf("--log-format xml: %v, want a usage error", err)
	}

	var logs syncBuffer
	defer func(w io.Writer) { logOutput = w }(logOutput)
	logOutput = &logs
	ctx, stop := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	served := make(chan error, 1)
	go func() {
		served <- run(ctx, []string{"serve", "--db", db, "--catalog", cat, "--key", key, "--addr", "127.0.0.1:0", "--log-format", "json", "--packages", t.TempDir()}, pw)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	resp, err := http.Post(url+"/api/v1/session", "application/json", strings.NewReader(`{"login": "UNOSUCHXX", "password": "not the password"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	stop()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	// One JSON object a line: the warning that no support contact is
	// configured, then the failed sign-in.
	var event, warning map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(logs.b.Bytes()), []byte("\n")) {
		var e map[string]any
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		switch e["event"] {
		case "sign_in_failed":
			event = e
		case "config":
			warning = e
		}
	}
	// No profile was given: the operator is told that no support contact
	// is configured.
	if warning == nil || warning["level"] != "WARN" || !strings.Contains(fmt.Sprint(warning["msg"]), "no support contact") {
		t.Errorf("no warning that support contacts are missing: %q", logs.b.String())
	}
	if event == nil || event["login"] != "UNOSUCHXX" {
		t.Errorf("log %q: no sign_in_failed event naming the login", logs.b.String())
	}
	if bytes.Contains(logs.b.Bytes(), []byte("not the password")) {
		t.Error("the log holds the password")
	}
}

// serve warns when the publisher profile names another service than the
// public URL the emails send people to.
func TestServeWarnsOfProfileMismatch(t *testing.T) {
	cat, key := signedCatalog(t)
	db := testDB(t) // public URL https://127.0.0.1:8443
	profile := filepath.Join(t.TempDir(), "profile.json")
	os.WriteFile(profile, []byte(`{"publisher": "Acme", "service_url": "https://127.0.0.2:8443"}`), 0o644)
	var logs syncBuffer
	defer func(w io.Writer) { logOutput = w }(logOutput)
	logOutput = &logs
	ctx, stop := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	served := make(chan error, 1)
	go func() {
		served <- run(ctx, []string{"serve", "--db", db, "--catalog", cat, "--key", key, "--addr", "127.0.0.1:0", "--profile", profile}, pw)
		pw.Close()
	}()
	if _, err := bufio.NewReader(pr).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	stop()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	if got := logs.b.String(); !strings.Contains(got, "service_url differs from the public URL") || !strings.Contains(got, "https://127.0.0.2:8443") {
		t.Errorf("log %q", got)
	}
}

// serve without --packages says that every download will answer 404;
// with a folder it says nothing of it.
func TestServeWarnsWithoutPackages(t *testing.T) {
	cat, key := signedCatalog(t)
	db := testDB(t)
	for _, tt := range []struct {
		name string
		args []string
		warn bool
	}{
		{"without", nil, true},
		{"with", []string{"--packages", t.TempDir()}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logs syncBuffer
			defer func(w io.Writer) { logOutput = w }(logOutput)
			logOutput = &logs
			ctx, stop := context.WithCancel(context.Background())
			pr, pw := io.Pipe()
			served := make(chan error, 1)
			go func() {
				served <- run(ctx, append([]string{"serve", "--db", db, "--catalog", cat, "--key", key, "--addr", "127.0.0.1:0"}, tt.args...), pw)
				pw.Close()
			}()
			if _, err := bufio.NewReader(pr).ReadString('\n'); err != nil {
				t.Fatal(err)
			}
			go io.Copy(io.Discard, pr)
			stop()
			if err := <-served; err != nil {
				t.Fatal(err)
			}
			logs.mu.Lock()
			defer logs.mu.Unlock()
			if got := strings.Contains(logs.b.String(), "no --packages folder"); got != tt.warn {
				t.Errorf("warned %t, want %t: %q", got, tt.warn, logs.b.String())
			}
		})
	}
}

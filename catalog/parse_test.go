package catalog

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseMinimal(t *testing.T) {
	c, err := Parse(readTestdata(t, "minimal.json"))
	if err != nil {
		t.Fatal(err)
	}
	p, r, err := c.Find("atlas")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Atlas CAD" || r.Version.String() != "1.10.0" {
		t.Errorf("latest of %s = %s, want 1.10.0 (versions compare as numbers)", p.Name, r.Version)
	}
	if p.Releases[0].Version.String() != "1.10.0" {
		t.Errorf("releases not sorted newest first: %s", p.Releases[0].Version)
	}
	pkg := r.Packages[LinuxAMD64]
	if pkg.SHA256 != "abcdef0000000000000000000000000000000000000000000000000000000002" {
		t.Errorf("sha256 not lowercased: %s", pkg.SHA256)
	}
	req := r.Requirements[LinuxAMD64]
	if req.Memory.Min != 4<<30 || req.CPU.MinClock != 2400 || req.Display.MinResolution.Width != 1920 ||
		req.Disk.Total() != (4<<30)+(500<<20) || req.GPU.MinDriver["nvidia"].String() != "535.104.05" {
		t.Errorf("requirements read wrong: %+v", req)
	}
	_, old, err := c.Find("atlas@1.9")
	if err != nil || old.Packages[WindowsAMD64].Install.RebootCodes[1] != 1641 {
		t.Errorf("atlas@1.9 = %+v, %v", old, err)
	}
	if _, _, err := c.Find("atlas@3.0"); !errors.Is(err, ErrNotFound) {
		t.Errorf("atlas@3.0: %v, want ErrNotFound", err)
	}
	if _, _, err := c.Find("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("nope: %v, want ErrNotFound", err)
	}
}

// Each case changes the valid document a little and names the problem it
// must report: the JSON path and a part of the message.
func TestParseProblems(t *testing.T) {
	base := string(readTestdata(t, "minimal.json"))
	tests := []struct {
		name     string
		old, new string
		path     string
		message  string
	}{
		{"unknown-field", `"id": "atlas",`, `"id": "atlas", "colour": "red",`, "products[0].colour", "unknown field"},
		{"bad-sha256", `"sha256": "0000000000000000000000000000000000000000000000000000000000000001"`, `"sha256": "abc"`,
			`products[0].releases[0].packages["windows/amd64"].sha256`, "want 64 hex digits"},
		{"size-as-string", `"size": 2048`, `"size": "2048"`, `products[0].releases[1].packages["linux/amd64"].size`, "want a number, found a string"},
		{"negative-size", `"size": 2048`, `"size": -5`, `products[0].releases[1].packages["linux/amd64"].size`, "from 1 to"},
		{"fractional-size", `"size": 2048`, `"size": 20.5`, `products[0].releases[1].packages["linux/amd64"].size`, "whole number"},
		{"unknown-platform", `"linux/amd64": {
              "url"`, `"linux/arm": {
              "url"`, `products[0].releases[1].packages["linux/arm"]`, "unknown platform"},
		{"bad-format", `"format": "tar.gz"`, `"format": "rar"`, `products[0].releases[1].packages["linux/amd64"].format`, "want one of zip"},
		{"plain-http", `https://downloads.example.com`, `http://downloads.example.com`, `products[0].releases[0].packages["windows/amd64"].url`, "want https"},
		{"ftp", `https://downloads.example.com`, `ftp://downloads.example.com`, `products[0].releases[0].packages["windows/amd64"].url`, "want an https URL"},
		{"bad-version", `"version": "1.9.0"`, `"version": "1.9.x"`, "products[0].releases[0].version", "dot-separated numbers"},
		{"same-version-twice", `"version": "1.9.0"`, `"version": "1.10"`, "products[0].releases[1].version", "listed twice"},
		{"bad-date", `"date": "2026-01-10"`, `"date": "10/01/2026"`, "products[0].releases[0].date", "want a date"},
		{"missing-field", `"name": "Atlas CAD",`, ``, "products[0].name", "missing required field"},
		{"bad-id", `"id": "atlas"`, `"id": "Atlas CAD"`, "products[0].id", "lowercase letters"},
		{"size-without-unit", `"min": "4 GiB"`, `"min": 4`, `products[0].releases[1].requirements["linux/amd64"].memory.min`, "bare number"},
		{"wrong-unit", `"min": "4 GiB"`, `"min": "4 gigs"`, `products[0].releases[1].requirements["linux/amd64"].memory.min`, "with a unit"},
		{"negative-ram", `"min": "4 GiB"`, `"min": "-4 GiB"`, `products[0].releases[1].requirements["linux/amd64"].memory.min`, "zero or more"},
		{"recommended-below-min", `"recommended": "16 GiB"`, `"recommended": "1 GiB"`, `products[0].releases[1].requirements["linux/amd64"].memory.recommended`, "less than the minimum"},
		{"bad-clock", `"min_clock": "2.4 GHz"`, `"min_clock": "fast"`, `products[0].releases[1].requirements["linux/amd64"].cpu.min_clock`, "clock rate"},
		{"zero-cores", `"min_logical_cores": 2`, `"min_logical_cores": 0`, `products[0].releases[1].requirements["linux/amd64"].cpu.min_logical_cores`, "from 1"},
		{"bad-vendor", `"vendors": ["nvidia", "amd"]`, `"vendors": ["nvidia", "3dfx"]`, `products[0].releases[1].requirements["linux/amd64"].gpu.vendors[1]`, "GPU vendor"},
		{"bad-resolution", `"1920x1080"`, `"1080p"`, `products[0].releases[1].requirements["linux/amd64"].display.min_resolution`, "resolution"},
		{"launch-escapes", `"launch": "bin/atlas"`, `"launch": "../../bin/sh"`, `products[0].releases[1].packages["linux/amd64"].install.launch`, "inside the install folder"},
		{"reboot-is-success", `"reboot_codes": [3010, 1641]`, `"reboot_codes": [0, 1641]`, `products[0].releases[0].packages["windows/amd64"].install.reboot_codes`, "both a success code and a reboot code"},
		{"requirements-without-package", `"requirements": {
            "linux/amd64"`, `"requirements": {
            "darwin/arm64"`, `products[0].releases[1].requirements["darwin/arm64"]`, "no package"},
		{"wrong-schema", `"schema": 1`, `"schema": 2`, "schema", "want schema 1"},
		{"duplicate-key", `"id": "atlas",`, `"id": "atlas", "id": "atlas",`, "", "duplicate key"},
		{"trailing-data", "  ]\n}\n", "  ]\n}\n{}", "", "after the end"},
		{"truncated", "  ]\n}\n", "  ]\n", "", "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(base, tt.old, tt.new, 1)
			if doc == base {
				t.Fatalf("test case does not change the document: %q not found", tt.old)
			}
			_, err := Parse([]byte(doc))
			var inv *InvalidError
			if !errors.As(err, &inv) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse accepted it or returned %T: %v", err, err)
			}
			for _, p := range inv.Problems {
				if p.Path == tt.path && strings.Contains(p.Message, tt.message) {
					if p.Line < 1 || p.Column < 1 {
						t.Errorf("problem without a position: %+v", p)
					}
					return
				}
			}
			t.Errorf("no problem at %q containing %q; got:\n%v", tt.path, tt.message, err)
		})
	}
}

func TestParseReportsEveryProblemAtOnce(t *testing.T) {
	doc := strings.NewReplacer(
		`"sha256": "0000000000000000000000000000000000000000000000000000000000000001"`, `"sha256": "abc"`,
		`"format": "tar.gz"`, `"format": "rar"`,
		`"min": "4 GiB"`, `"min": "4 gigs"`,
		`"id": "atlas",`, `"id": "atlas", "colour": "red",`,
	).Replace(string(readTestdata(t, "minimal.json")))
	_, err := Parse([]byte(doc))
	var inv *InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("got %v", err)
	}
	if len(inv.Problems) != 4 {
		t.Fatalf("want 4 problems, got %d:\n%v", len(inv.Problems), err)
	}
	for i := 1; i < len(inv.Problems); i++ {
		if inv.Problems[i].Line < inv.Problems[i-1].Line {
			t.Errorf("problems not in document order:\n%v", err)
		}
	}
	// The line of the sha256 problem is the line where the value is.
	lines := strings.Split(doc, "\n")
	for _, p := range inv.Problems {
		if strings.HasSuffix(p.Path, ".sha256") && !strings.Contains(lines[p.Line-1], `"abc"`) {
			t.Errorf("sha256 problem at line %d, which is %q", p.Line, lines[p.Line-1])
		}
	}
}

func TestParseHostile(t *testing.T) {
	tests := []struct {
		name string
		doc  []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"not-json", []byte("<html>"), "malformed JSON"},
		{"array", []byte("[]"), "want an object"},
		{"deep", bytes.Repeat([]byte("["), 10000), "nested deeper"},
		{"huge", append([]byte(`{"publisher":"`), bytes.Repeat([]byte("a"), MaxPayloadBytes)...), "more than the limit"},
		{"nul-bytes", []byte("{\x00}"), "malformed JSON"},
		{"huge-number", []byte(`{"schema": 1e999999}`), "want a whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.doc)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	c, err := Parse(readTestdata(t, "minimal.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := Parse(out)
	if err != nil {
		t.Fatalf("marshalled catalog does not parse: %v\n%s", err, out)
	}
	out2, _ := Marshal(c2)
	if !bytes.Equal(out, out2) {
		t.Errorf("second round trip differs:\n%s\n---\n%s", out, out2)
	}
}

func TestParseRequirements(t *testing.T) {
	f, err := ParseRequirements(readTestdata(t, "requirements.json"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Requirements[WindowsAMD64].Memory.Min != 16<<30 {
		t.Errorf("memory.min = %v", f.Requirements[WindowsAMD64].Memory.Min)
	}
	bad := strings.Replace(string(readTestdata(t, "requirements.json")), `"16 GiB"`, `"-16 GB"`, 1)
	_, err = ParseRequirements([]byte(bad))
	if err == nil || !strings.Contains(err.Error(), `requirements["windows/amd64"].memory.min`) {
		t.Errorf("negative memory: %v", err)
	}
}

func TestParsePlatformAndBenefit(t *testing.T) {
	if p, err := ParsePlatform("windows-amd64"); err != nil || p != WindowsAMD64 {
		t.Errorf("windows-amd64 = %q, %v", p, err)
	}
	if _, err := ParsePlatform("beos/ppc"); err == nil {
		t.Error("beos/ppc accepted")
	}
	if b, err := ParseBenefit("phone-support"); err != nil || b != BenefitPhoneSupport {
		t.Errorf("phone-support = %q, %v", b, err)
	}
	if _, err := ParseBenefit("free-lunch"); err == nil {
		t.Error("free-lunch accepted")
	}
}

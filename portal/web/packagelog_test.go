package web

import (
	"strings"
	"testing"
)

// A package the catalog lists and the user may download, missing from
// the package folder, answers 404 and is logged with its name: the
// operator learns what was asked for.
func TestMissingPackageLogged(t *testing.T) {
	p, log := newLoggedPortal(t) // its package folder holds nothing
	token, _ := p.admin(t, "ana@acme.example", "atlas")
	var prob Problem
	if code := p.call(t, "GET", "/api/v1/packages/atlas-1.0.0.tar.gz", token, nil, &prob); code != 404 || prob.Code != "not_found" {
		t.Fatalf("a missing package: %d %+v", code, prob)
	}
	if got := log.String(); !strings.Contains(got, "event=package_missing") || !strings.Contains(got, "package=atlas-1.0.0.tar.gz") {
		t.Errorf("the log does not say what was asked:\n%s", got)
	}
}

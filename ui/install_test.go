package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"onramp.dev/onramp/assets"
	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer"
	"onramp.dev/onramp/setup"
)

// Install is offered only when the window can carry the plan out; when it
// cannot, the reason shows under the plan. A plan for another folder
// goes when the folder changes.
func TestInstallOfferedOnlyWhenPossible(t *testing.T) {
	test.NewTempApp(t)
	c, err := catalog.Parse(assets.DemoCatalogJSON())
	if err != nil {
		t.Fatal(err)
	}
	p, _ := c.Product("quill")
	r := p.Latest()
	a := &Assistant{cfg: Config{TargetRoot: t.TempDir(), CacheDir: t.TempDir(), StateDir: t.TempDir()}}
	a.core = setup.New(nil, a.options())
	for _, tc := range []struct {
		name    string
		plan    installer.Plan
		offered bool
		why     string
	}{
		{"room and rights", installer.Plan{Bytes: 100, FreeSpace: 1 << 30}, true, ""},
		{"no free space", installer.Plan{Bytes: 100, FreeSpace: 0}, false, "Not enough free disk space. Free some space, or choose another folder."},
		{"needs administrator rights", installer.Plan{Bytes: 100, FreeSpace: 1 << 30, NeedsElevation: true}, false,
			"This folder needs administrator rights. Choose a folder of your own, or ask IT."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newInstallScreen(a, &setup.Release{Product: p, Release: r})
			s.path, s.dl = "downloaded", &setup.Download{Path: "downloaded"}
			s.showPlan(&tc.plan)
			if s.install.Disabled() == tc.offered || s.why.Text() != tc.why {
				t.Errorf("install offered %v, reason %q; want %v, %q", !s.install.Disabled(), s.why.Text(), tc.offered, tc.why)
			}
			s.target.SetText(s.target.Text + "-elsewhere")
			if s.planned != nil || !s.install.Disabled() || s.why.Visible() || s.plan.Text != "The folder changed: press Show the plan." {
				t.Errorf("after a folder change: plan %q, install offered %v", s.plan.Text, !s.install.Disabled())
			}
		})
	}
}

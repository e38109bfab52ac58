package setup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/syscheck"
)

// withRequirements sets quill's newest release's requirements for this
// machine's platform: the tests' verdicts do not depend on the machine.
func withRequirements(t *testing.T, s *Setup, req catalog.Requirements) {
	t.Helper()
	p, ok := s.src.Catalog.Product("quill")
	if !ok {
		t.Fatal("no quill in the demo catalog")
	}
	p.Latest().Requirements[s.opt.Platform] = req
}

// One action checks, downloads and installs, in that order, reporting
// every step to one callback; an unmet requirement stops it before any
// byte with the report, a recommendation not met stops it only when asked
// to stop on advice, and going on after that installs.
func TestInstallWith(t *testing.T) {
	ctx := context.Background()
	const huge = catalog.ByteSize(900 << 40)
	tests := []struct {
		name    string
		req     catalog.Requirements
		opt     InstallOptions
		wantErr error
		status  syscheck.Status // the report's
	}{
		{"passes", catalog.Requirements{}, InstallOptions{StopOnAdvice: true}, nil, syscheck.Pass},
		{"requirement-unmet", catalog.Requirements{Memory: catalog.MemoryRequirement{Min: huge}}, InstallOptions{StopOnAdvice: true}, ErrRequirements, syscheck.Fail},
		{"requirement-unmet-cli", catalog.Requirements{Memory: catalog.MemoryRequirement{Min: huge}}, InstallOptions{}, ErrRequirements, syscheck.Fail},
		{"recommendation-unmet", catalog.Requirements{Memory: catalog.MemoryRequirement{Min: 1, Recommended: huge}}, InstallOptions{StopOnAdvice: true}, ErrAdvice, syscheck.Warn},
		{"recommendation-accepted", catalog.Requirements{Memory: catalog.MemoryRequirement{Min: 1, Recommended: huge}}, InstallOptions{}, nil, syscheck.Warn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := demoSetup(t)
			var steps []Step
			s = s.WithProgress(func(ev Event) {
				if len(steps) == 0 || steps[len(steps)-1] != ev.Step {
					steps = append(steps, ev.Step)
				}
			})
			withRequirements(t, s, tt.req)
			got, err := s.InstallWith(ctx, "quill", tt.opt)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got == nil || got.Report == nil || got.Report.Status != tt.status {
				t.Fatalf("report %+v, want status %s", got, tt.status)
			}
			st, err2 := s.State(ctx, "quill")
			if err2 != nil {
				t.Fatal(err2)
			}
			if tt.wantErr != nil {
				var re *RequirementsError
				var ae *AdviceError
				if errors.As(err, &re) == errors.As(err, &ae) || (re != nil && re.Report != got.Report) || (ae != nil && ae.Report != got.Report) {
					t.Errorf("%T carries no report", err)
				}
				if st.State != NotInstalled || st.Partial != nil || got.Download != nil {
					t.Errorf("stopped by the check, yet %s (partial %+v, download %+v)", st.State, st.Partial, got.Download)
				}
				if len(steps) != 1 || steps[0] != StepCheck {
					t.Errorf("steps %v, want the check only", steps)
				}
				return
			}
			if st.State != Installed || got.Receipt == nil || got.Receipt.Version != "3.1.0" || got.Download == nil {
				t.Fatalf("state %s, %+v", st.State, got)
			}
			want := []Step{StepCheck, StepDownload, StepPlan, StepStage}
			for i, w := range want {
				if i >= len(steps) || steps[i] != w {
					t.Fatalf("steps %v, want them to begin with %v", steps, want)
				}
			}
		})
	}
}

// A download stopped half-way shows in the product's state as the bytes
// kept of the package's size, and the one action resumes it: the bytes
// already there are not fetched again.
func TestInstallWithResumes(t *testing.T) {
	ctx := context.Background()
	s := demoSetup(t)
	s.opt.RateLimit = 32 << 10
	withRequirements(t, s, catalog.Requirements{})
	dl, cancel := context.WithCancel(ctx)
	_, err := s.WithProgress(func(ev Event) {
		if ev.Step == StepDownload && ev.Done > 0 {
			cancel()
		}
	}).InstallWith(dl, "quill", InstallOptions{StopOnAdvice: true})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	rel, err := s.Find("quill", "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.State(ctx, "quill")
	if err != nil {
		t.Fatal(err)
	}
	part, _ := os.Stat(s.PackagePath(rel) + ".part")
	if st.State != NotInstalled || st.Partial == nil || part == nil || st.Partial.Bytes != part.Size() || st.Partial.Total != rel.Package.Size {
		t.Fatalf("state %s, partial %+v; want the %v bytes on disk of %d", st.State, st.Partial, part, rel.Package.Size)
	}
	kept := st.Partial.Bytes
	s.opt.RateLimit = 0
	got, err := s.InstallWith(ctx, "quill", InstallOptions{StopOnAdvice: true})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Download.Result.Resumed || got.Download.Result.Transferred != rel.Package.Size-kept {
		t.Errorf("resumed %v, %d bytes fetched; want the %d missing", got.Download.Result.Resumed, got.Download.Result.Transferred, rel.Package.Size-kept)
	}
	if st, _ := s.State(ctx, "quill"); st.State != Installed || st.Partial != nil {
		t.Errorf("after the resumed install: %s, partial %+v", st.State, st.Partial)
	}
}

// The stamp changes when another process (another Setup on the same
// folders: the command line) installs, downloads or uninstalls, and not
// while a download only grows its partial file.
func TestStampFollowsOtherProcesses(t *testing.T) {
	ctx := context.Background()
	s := demoSetup(t)
	withRequirements(t, s, catalog.Requirements{})
	other := New(s.src, s.opt)
	stamp := func() string {
		t.Helper()
		st, err := s.Stamp()
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	before := stamp()
	rel, err := s.Find("quill", "")
	if err != nil {
		t.Fatal(err)
	}
	dest := s.PackagePath(rel)
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dest+".part", []byte("some bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	if stamp() != before {
		t.Error("a partial file changed the stamp")
	}
	steps := []struct {
		name string
		act  func() error
	}{
		{"download", func() error { _, err := other.Download(ctx, "quill", ""); return err }},
		{"install", func() error { _, err := other.Install(ctx, "quill@3.0.2", ""); return err }},
		{"update", func() error { _, err := other.Update(ctx, "quill"); return err }},
		{"uninstall", func() error { _, err := other.Uninstall(ctx, "quill"); return err }},
	}
	last := before
	for _, st := range steps {
		if err := st.act(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		now := stamp()
		if now == last {
			t.Errorf("the stamp did not change with the %s", st.name)
		}
		last = now
	}
}

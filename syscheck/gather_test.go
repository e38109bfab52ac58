package syscheck

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// On this machine, the facts must agree with what the system's own tools say.
func TestGatherAgreesWithSystemTools(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("compares with Linux tools")
	}
	target := filepath.Join(t.TempDir(), "not", "yet", "created")
	f, err := Gather(context.Background(), Options{Target: target, Cache: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	// nproc
	out, err := exec.Command("nproc", "--all").Output()
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := strconv.Atoi(strings.TrimSpace(string(out))); n != f.CPU.LogicalCores {
		t.Errorf("logical cores %d, nproc --all says %d", f.CPU.LogicalCores, n)
	}
	// /proc/meminfo
	meminfo, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	kv := parseKV(string(meminfo), ":")
	kib, _ := strconv.ParseUint(strings.TrimSuffix(kv["MemTotal"], " kB"), 10, 64)
	if kib<<10 != f.Memory.Total {
		t.Errorf("memory total %d, /proc/meminfo says %d", f.Memory.Total, kib<<10)
	}
	// df, for the target's nearest existing parent; target and cache are
	// both under the temp folder, so one volume holds both roles.
	if len(f.Volumes) != 1 || len(f.Volumes[0].Roles) != 2 {
		t.Fatalf("volumes = %+v, want one with roles target and cache", f.Volumes)
	}
	v := f.Volumes[0]
	if v.Existing != mustEval(t, os.TempDir()) && !strings.HasPrefix(target, v.Existing) {
		t.Errorf("measured %s for %s", v.Existing, target)
	}
	out, err = exec.Command("df", "-B1", "--output=avail,size,fstype", v.Existing).Output()
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(strings.Split(strings.TrimSpace(string(out)), "\n")[1])
	avail, _ := strconv.ParseUint(fields[0], 10, 64)
	total, _ := strconv.ParseUint(fields[1], 10, 64)
	// Free space moves while the test runs (other writers): allow 64 MiB.
	if diff := int64(avail) - int64(v.Free); diff > 64<<20 || diff < -64<<20 {
		t.Errorf("free %d, df says %d", v.Free, avail)
	}
	if total != v.Total {
		t.Errorf("total %d, df says %d", v.Total, total)
	}
	if fields[2] != v.FSType {
		t.Errorf("file system %q, df says %q", v.FSType, fields[2])
	}
	if f.OS.Version == "" || f.OS.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("os = %+v", f.OS)
	}
}

func mustEval(t *testing.T, p string) string {
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A probe command that hangs, and whose child keeps its output pipe open,
// is cut off at the timeout and reported as unknown; the check goes on.
func TestStuckProbeIsCutOff(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("uses a shell script as a stuck nvidia-smi")
	}
	bin := t.TempDir()
	script := "#!/bin/sh\nsleep 30 &\nsleep 30\n"
	if err := os.WriteFile(filepath.Join(bin, "nvidia-smi"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("DISPLAY", "")

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := runProbe(ctx, "nvidia-smi")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("runProbe: %v, want a deadline error", err)
	}

	f, err := Gather(context.Background(), Options{ProbeTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.Unknown["gpu"], "timed out") {
		t.Errorf("gpu unknown reason = %q, want a time-out", f.Unknown["gpu"])
	}
	if f.Memory.Total == 0 || f.CPU.LogicalCores == 0 {
		t.Error("the other facts were lost")
	}
}

func TestMissingProbeTool(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if _, err := runProbe(context.Background(), "nvidia-smi"); !errors.Is(err, ErrProbeMissing) {
		t.Fatalf("got %v", err)
	}
}

func TestVolumeOfMissingFolder(t *testing.T) {
	dir := t.TempDir()
	v, err := volumeOf(context.Background(), filepath.Join(dir, "a", "b", "c"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.Existing != mustEval(t, dir) || v.Total == 0 {
		t.Errorf("volume = %+v, want measured at %s", v, dir)
	}
}

// BenchmarkCheck is a full check: facts and evaluation of the demo's most
// demanding requirements. Report the median of -count runs.
func BenchmarkCheck(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		f, err := Gather(context.Background(), Options{Target: filepath.Join(dir, "target"), Cache: dir})
		if err != nil {
			b.Fatal(err)
		}
		Evaluate(f, nil, nil)
	}
}

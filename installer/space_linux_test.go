package installer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"onramp.dev/onramp/catalog"
)

// On a real small volume, an install that fits by its bytes but not by
// the blocks or the entries it takes is refused before anything is
// staged, naming the folder, what it needs and what is free; nothing is
// left behind.
func TestPlanCountsBlocksAndEntries(t *testing.T) {
	many := func(n int) []file {
		var fs []file
		for i := range n {
			fs = append(fs, file{name: fmt.Sprintf("data/%04d.txt", i), body: "x"})
		}
		return fs
	}
	tests := []struct {
		name, opts string
		files      []file
		want       string
	}{
		// 400 files of 1 byte: 400 bytes, but 400 blocks of 4 KiB.
		{"blocks", "size=1m,nr_inodes=10000", many(400), "on disk"},
		// 200 files on a volume of 100 entries, with room to spare.
		{"entries", "size=16m,nr_inodes=100", many(200), "files and folders"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mnt := mountTmpfs(t, tt.opts)
			target := filepath.Join(mnt, "atlas")
			pkg := writePackage(t, buildTarGz(t, tt.files), catalog.FormatTarGz, "1.0.0")
			in := newInstaller(t)
			plan, err := in.PlanInstall(context.Background(), pkg, target)
			if err != nil {
				t.Fatal(err)
			}
			if plan.SpaceProblem() == nil {
				t.Errorf("the plan (%d bytes, %d on disk, %d entries; %d free, %d entries free) says it fits", plan.Bytes, plan.DiskBytes, plan.Entries, plan.FreeSpace, plan.FreeEntries)
			}
			_, err = in.Install(context.Background(), pkg, target)
			var se *SpaceError
			if !errors.As(err, &se) || !errors.Is(err, ErrNoSpace) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), target) {
				t.Fatalf("err = %v, want a SpaceError naming %s and %q", err, target, tt.want)
			}
			if es, _ := os.ReadDir(mnt); len(es) != 0 {
				t.Errorf("left on the volume: %v", es)
			}
		})
	}
}

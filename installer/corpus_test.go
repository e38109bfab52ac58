package installer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

var recordCorpus = flag.Bool("corpus.record", false, "extract testdata/corpus with GNU tar and unzip and record their trees in testdata/corpus/expected")

// treeManifest lists a tree as the corpus test compares it: one line per
// path with its kind, mode, size, SHA-256 (files), target (links) and
// modification time in seconds (files and folders; links' times are not
// compared). Times within the last hour were the extraction's own (a
// folder the archive does not list): they are written "*", and match any.
func treeManifest(t *testing.T, root string, wild bool) []string {
	t.Helper()
	var out []string
	recent := time.Now().Add(-time.Hour)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		mode := info.Mode()
		bits := fmt.Sprintf("%04o", uint32(mode.Perm())|special(mode))
		mtime := fmt.Sprint(info.ModTime().Unix())
		if wild && info.ModTime().After(recent) {
			mtime = "*"
		}
		switch {
		case mode&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			out = append(out, fmt.Sprintf("%s l -> %s", filepath.ToSlash(rel), l))
		case mode.IsDir():
			out = append(out, fmt.Sprintf("%s d %s %s", filepath.ToSlash(rel), bits, mtime))
		case !mode.IsRegular():
			out = append(out, fmt.Sprintf("%s special %v", filepath.ToSlash(rel), mode.Type()))
		default:
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			h := sha256.New()
			n, err := io.Copy(h, f)
			f.Close()
			if err != nil {
				return err
			}
			out = append(out, fmt.Sprintf("%s f %s %d %s %s", filepath.ToSlash(rel), bits, n, hex.EncodeToString(h.Sum(nil)[:8]), mtime))
		}
		return nil
	})
	if err != nil {
		// The reference tools leave folders they could not finish.
		out = append(out, "walk error: "+err.Error())
	}
	slices.Sort(out)
	return out
}

func special(m fs.FileMode) uint32 {
	var s uint32
	if m&fs.ModeSetuid != 0 {
		s |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		s |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		s |= 0o1000
	}
	return s
}

// sameTree compares a manifest with a recorded one, "*" times matching any.
func sameTree(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := strings.Fields(got[i]), strings.Fields(want[i])
		if len(g) != len(w) {
			return false
		}
		for k := range g {
			if g[k] != w[k] && !(k == len(w)-1 && w[k] == "*") {
				return false
			}
		}
	}
	return true
}

// referenceExtract extracts an archive with GNU tar (tar -xpzf, the
// archive's modes exactly) or Info-ZIP's unzip, as root or the user.
func referenceExtract(t *testing.T, archive, dir string) string {
	t.Helper()
	var cmd *exec.Cmd
	if strings.HasSuffix(archive, ".zip") {
		cmd = exec.Command("unzip", "-qq", "-o", "-P", "no-password-known", archive, "-d", dir)
	} else {
		cmd = exec.Command("tar", "-xpzf", archive, "-C", dir)
	}
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Sprintf("%s: %v: %s", cmd.Args[0], err, strings.Join(strings.Fields(string(out)), " "))
	}
	return ""
}

// corpusOutcome is what Onramp is expected to make of an archive of
// testdata/corpus, against GNU tar or unzip's tree in expected/.
type corpusOutcome struct {
	file    string
	outcome string // identical, refused, differs
	reason  string // refused: in Onramp's error; differs: what differs
	why     string // why a refusal is justified or a difference kept
}

// The archives of testdata/corpus (README.md there says where each comes
// from), each extracted by Onramp and compared with the tree GNU tar or
// unzip made of it (recorded with -corpus.record, on Linux as root).
func TestCorpus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the reference trees were recorded on Linux; other file systems hold other names and modes")
	}
	dir := filepath.Join("testdata", "corpus")
	files, _ := filepath.Glob(filepath.Join(dir, "*.zip"))
	tgz, _ := filepath.Glob(filepath.Join(dir, "*.tar.gz"))
	files = append(files, tgz...)
	if *recordCorpus {
		for _, f := range files {
			ref := t.TempDir()
			msg := referenceExtract(t, f, ref)
			lines := treeManifest(t, ref, true)
			if msg != "" {
				lines = append([]string{"error: " + msg}, lines...)
			}
			os.MkdirAll(filepath.Join(dir, "expected"), 0o755)
			if err := os.WriteFile(filepath.Join(dir, "expected", filepath.Base(f)+".txt"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The zips that hold only MS-DOS times were recorded in UTC.
	local := time.Local
	time.Local = time.UTC
	defer func() { time.Local = local }()
	table := map[string]corpusOutcome{}
	for _, o := range corpusTable {
		table[o.file] = o
	}
	counts := map[string]int{}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			want, ok := table[name]
			b, err := os.ReadFile(filepath.Join(dir, "expected", name+".txt"))
			if err != nil {
				t.Fatalf("no reference tree: %v (record them with -corpus.record)", err)
			}
			ref := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			refErr := ""
			if len(ref) > 0 && strings.HasPrefix(ref[0], "error: ") {
				refErr, ref = ref[0], ref[1:]
			}
			if len(ref) == 1 && ref[0] == "" {
				ref = nil
			}
			target := filepath.Join(t.TempDir(), "atlas")
			t.Cleanup(func() { removeTree(target) })
			_, err = newInstaller(t).Install(context.Background(), corpusPackage(t, name), target)
			got := "identical"
			var mine []string
			switch {
			case err != nil:
				got = "refused"
				if ok && !strings.Contains(err.Error(), want.reason) {
					t.Errorf("refused with %q, want a reason containing %q", err, want.reason)
				}
			default:
				mine = treeManifest(t, target, false)
				if !sameTree(mine, ref) {
					got = "differs"
				}
			}
			counts[got]++
			if !ok {
				t.Errorf("%s is not in the table", name)
			}
			if got != want.outcome {
				t.Errorf("outcome %s, want %s (%s)\nOnramp: %v\nreference (%s): %q\nOnramp's tree:\n%s\nreference tree:\n%s",
					got, want.outcome, want.why, err, name, refErr, strings.Join(mine, "\n"), strings.Join(ref, "\n"))
			}
		})
	}
	t.Logf("corpus of %d archives: %d identical, %d justified refusals, %d differences", len(files), counts["identical"], counts["refused"], counts["differs"])
}

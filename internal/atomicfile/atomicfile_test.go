package atomicfile

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// readDir lists the names in dir, to show what a write left behind.
func readDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "receipt.json")
	if err := WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "new" {
		t.Fatalf("content %q, %v", b, err)
	}
	if st, err := os.Stat(path); err != nil {
		t.Fatal(err)
	} else if runtime.GOOS != "windows" && st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	if names := readDir(t, dir); len(names) != 1 {
		t.Errorf("the folder holds %q, want the file alone", names)
	}
}

// A write that fails at any step leaves the old file whole and no
// temporary file behind.
func TestFailedWriteKeepsOld(t *testing.T) {
	boom := errors.New("disk full")
	tests := []struct {
		name string
		path func(dir string) string
		fill func(w io.Writer) error
		want error
	}{
		{"fill-fails-midway", func(dir string) string { return filepath.Join(dir, "f") }, func(w io.Writer) error {
			// More than the buffer, so part of it reached the temporary file.
			w.Write([]byte(strings.Repeat("x", 200<<10)))
			return boom
		}, boom},
		{"folder-gone", func(dir string) string { return filepath.Join(dir, "gone", "f") }, func(w io.Writer) error { return nil }, os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			old := filepath.Join(dir, "f")
			if err := WriteFile(old, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := Write(tt.path(dir), 0o644, tt.fill); !errors.Is(err, tt.want) {
				t.Fatalf("Write: %v, want %v", err, tt.want)
			}
			if b, err := os.ReadFile(old); err != nil || string(b) != "old" {
				t.Errorf("old file now %q, %v", b, err)
			}
			if names := readDir(t, dir); len(names) != 1 || names[0] != "f" {
				t.Errorf("the folder holds %q, want f alone", names)
			}
		})
	}
}

// A folder at the path is refused, not replaced; a link is replaced by the
// file and what it pointed to is left alone.
func TestNotRegular(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(sub, []byte("x"), 0o644); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), sub) {
		t.Errorf("WriteFile over a folder: %v, want ErrNotRegular naming it", err)
	}
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("theirs"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if err := WriteFile(link, []byte("ours"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "theirs" {
		t.Errorf("the link's target became %q", b)
	}
	if st, err := os.Lstat(link); err != nil || !st.Mode().IsRegular() {
		t.Errorf("the link was not replaced by a file: %v %v", st, err)
	}
}

// A process killed in the middle of a write leaves the old file whole:
// the child writes part of the new content, says so, and waits to be
// killed.
func TestKilledWriterKeepsOld(t *testing.T) {
	if path := os.Getenv("ATOMICFILE_CHILD"); path != "" {
		Write(path, 0o644, func(w io.Writer) error {
			w.Write([]byte(strings.Repeat("new", 100<<10)))
			os.Stdout.WriteString("writing\n")
			io.Copy(io.Discard, os.Stdin) // until killed
			return nil
		})
		os.Exit(0)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "journal.json")
	if err := WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriterKeepsOld$")
	cmd.Env = append(os.Environ(), "ATOMICFILE_CHILD="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "writing\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child said %q, %v", line, err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if b, err := os.ReadFile(path); err != nil || string(b) != "old" {
		t.Errorf("after the kill the file holds %d bytes, %v; want the old content", len(b), err)
	}
	// The killed writer's temporary file is left, under a name no reader uses.
	for _, n := range readDir(t, dir) {
		if n != "journal.json" && !strings.HasPrefix(n, ".journal.json.") {
			t.Errorf("unexpected file %s", n)
		}
	}
}

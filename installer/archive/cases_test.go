package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"cmp"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"onramp.dev/onramp/catalog"
)

// member is one entry of an archive a test builds.
type member struct {
	name, link string
	kind       Kind
	mode       fs.FileMode // of a file: 0644 when 0
}

// archiveCase is one archive and what the readers make of it: the names
// they give, in archive order, or a refusal holding refused. Each
// format's test runs the cases of both (confinementCases) and its own.
type archiveCase struct {
	name    string
	members []member
	windows bool     // judged by Windows' rules
	want    []string // the entries' names when accepted
	refused string
}

// confinementCases try each way out of the target, and a few ways in.
var confinementCases = []archiveCase{
	{name: "plain", members: []member{{name: "a/b.txt"}, {name: "c"}}, want: []string{"a/b.txt", "c"}},
	{name: "dot-slash", members: []member{{name: "./a"}}, want: []string{"a"}},
	{name: "dot-dot", members: []member{{name: "../escape"}}, refused: "path with '..' leaves the target"},
	{name: "dot-dot-inside", members: []member{{name: "a/../../escape"}}, refused: "path with '..' leaves the target"},
	{name: "absolute", members: []member{{name: "/etc/passwd"}}, refused: "absolute path"},
	{name: "link-out", members: []member{{name: "out", link: "../..", kind: Symlink}}, refused: "points outside the target"},
	{name: "link-absolute", members: []member{{name: "out", link: "/etc", kind: Symlink}}, refused: "only relative links"},
	{name: "link-in", members: []member{{name: "d/f"}, {name: "l", link: "d/f", kind: Symlink}}, want: []string{"d/f", "l"}},
	{name: "through-link", members: []member{{name: "d", link: ".", kind: Symlink}, {name: "d/x"}}, refused: "writing through links is refused"},
	{name: "link-loop", members: []member{{name: "a", link: "b", kind: Symlink}, {name: "b", link: "a", kind: Symlink}}, refused: "a loop of links"},
	{name: "chain-out", members: []member{{name: "a", link: "b/..", kind: Symlink}, {name: "b", link: "..", kind: Symlink}}, refused: "points outside the target"},
	{name: "twice", members: []member{{name: "same"}, {name: "same"}}, refused: "listed twice"},
	{name: "file-then-folder", members: []member{{name: "a/b"}, {name: "a"}}, refused: "listed twice (first as a folder)"},
	{name: "case-on-windows", members: []member{{name: "Readme"}, {name: "README"}}, windows: true, refused: "differ only by case"},
	{name: "case-elsewhere", members: []member{{name: "Readme"}, {name: "README"}}, want: []string{"Readme", "README"}},
	{name: "device-on-windows", members: []member{{name: "CON.txt"}}, windows: true, refused: "is a device name on Windows"},
	{name: "drive-on-windows", members: []member{{name: "C:evil"}}, windows: true, refused: "a Windows drive letter"},
	{name: "suid-dropped", members: []member{{name: "suid", mode: fs.ModeSetuid | fs.ModeSticky | 0o755}}, want: []string{"suid"}},
}

// runCases reads each case's archive in format with Scan and Extract,
// and checks what both make of it.
func runCases(t *testing.T, format catalog.Format, cases []archiveCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rules := Rules{}
			if c.windows {
				rules = Rules{windows: true, foldCase: true, unicode: true}
			}
			data := build(t, format, c.members)
			for _, pass := range []string{"scan", "extract"} {
				a, err := openBytes("case", data, format, rules, "")
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				if pass == "scan" {
					err = a.Scan(func(e Entry) error {
						if e.Mode&^0o777 != 0 {
							t.Errorf("%s: mode %v beyond the permission bits", e.Name, e.Mode)
						}
						got = append(got, e.Name)
						return nil
					})
				} else {
					err = a.Extract(func(e Entry, r io.Reader) error {
						if r != nil {
							if _, err := io.Copy(io.Discard, r); err != nil {
								return err
							}
						}
						got = append(got, e.Name)
						return nil
					}, Pool{Workers: 1}, nil)
				}
				a.Close()
				switch {
				case c.refused != "":
					var ae *Error
					if !errors.As(err, &ae) || !errors.Is(err, ErrUnsafe) || !strings.Contains(err.Error(), c.refused) {
						t.Errorf("%s: %v, want a refusal with %q", pass, err, c.refused)
					}
				case err != nil:
					t.Errorf("%s: %v", pass, err)
				default:
					// Extract gives the links last.
					slices.Sort(got)
					want := slices.Sorted(slices.Values(c.want))
					if !slices.Equal(got, want) {
						t.Errorf("%s: entries %q, want %q", pass, got, want)
					}
				}
			}
		})
	}
}

// build writes members as an archive in format, byte for byte as named.
func build(tb testing.TB, format catalog.Format, members []member) []byte {
	tb.Helper()
	var buf bytes.Buffer
	switch format {
	case catalog.FormatZip:
		zw := zip.NewWriter(&buf)
		for _, m := range members {
			h := &zip.FileHeader{Name: m.name, CreatorVersion: 3 << 8}
			h.SetMode(cmp.Or(m.mode, 0o644))
			body := "x"
			if m.kind == Symlink {
				h.SetMode(fs.ModeSymlink | 0o777)
				body = m.link
			}
			w, err := zw.CreateHeader(h)
			if err != nil {
				tb.Fatal(err)
			}
			io.WriteString(w, body)
		}
		if err := zw.Close(); err != nil {
			tb.Fatal(err)
		}
	default:
		gz := gzip.NewWriter(&buf)
		tw := tar.NewWriter(gz)
		for _, m := range members {
			h := &tar.Header{Name: m.name, Mode: 0o644, Typeflag: tar.TypeReg, Size: 1}
			if m.mode != 0 {
				h.Mode = 0o4755 | 0o1000 // setuid and sticky, as tar writes them
			}
			switch m.kind {
			case Symlink:
				h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, m.link, 0
			case Hardlink:
				h.Typeflag, h.Linkname, h.Size = tar.TypeLink, m.link, 0
			}
			if err := tw.WriteHeader(h); err != nil {
				tb.Fatal(err)
			}
			if h.Size > 0 {
				tw.Write([]byte("x"))
			}
		}
		if err := tw.Close(); err != nil {
			tb.Fatal(err)
		}
		gz.Close()
	}
	return buf.Bytes()
}

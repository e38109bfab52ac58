package installer

import (
	"testing"

	"onramp.dev/onramp/catalog"
)

// Links are judged by where they resolve through the links already
// in the archive (and those that come later), not by their text alone.
func TestLinkChainsThatLeaveTheTarget(t *testing.T) {
	tests := []struct {
		name  string
		files []file
		want  string
	}{
		{"chain-up", []file{{name: "x", link: "."}, {name: "up", link: "x/x/x/x/x/x/x/x/../../../../../../../.."}}, "points outside"},
		{"link-dot-dot", []file{{name: "x", link: "."}, {name: "up1", link: "x/.."}}, "points outside"},
		{"through-dir-link", []file{{name: "d/", dir: true}, {name: "d/in", link: ".."}, {name: "esc", link: "d/in/.."}}, "points outside"},
		{"link-to-link-up", []file{{name: "a/", dir: true}, {name: "a/b", link: "."}, {name: "a/c", link: "b/../.."}}, "points outside"},
		{"later-link-breaks-earlier", []file{{name: "b/", dir: true}, {name: "a", link: "b/.."}, {name: "c", link: "."}, {name: "e", link: "c/b/../.."}}, "points outside"},
		{"link-made-later", []file{{name: "a", link: "b/.."}, {name: "b", link: "."}}, "points outside"},
		{"loop", []file{{name: "p", link: "q"}, {name: "q", link: "p"}, {name: "r", link: "p/x"}}, "links"},
		{"file-through-dot-dot-link", []file{{name: "d", link: ".."}, {name: "d/file", body: "x"}}, "points outside"},
		{"file-through-absolute-link", []file{{name: "d", link: "/tmp"}, {name: "d/file", body: "x"}}, "only relative links"},
		{"file-through-inside-link", []file{{name: "sub/", dir: true}, {name: "d", link: "sub"}, {name: "d/file", body: "x"}}, "writing through links"},
		{"link-over-a-folder", []file{{name: "d/file", body: "x"}, {name: "d", link: "."}}, "listed twice"},
	}
	for _, tt := range tests {
		for _, format := range []catalog.Format{catalog.FormatZip, catalog.FormatTarGz} {
			t.Run(tt.name+"/"+string(format), func(t *testing.T) {
				build := buildZip
				if format == catalog.FormatTarGz {
					build = buildTarGz
				}
				assertRefused(t, writePackage(t, build(t, tt.files), format, "1.0.0"), tt.want)
			})
		}
	}
}

// Links that stay inside, through other links, are fine.
func TestLinkChainsInside(t *testing.T) {
	files := []file{
		{name: "lib/", dir: true},
		{name: "lib/libz.so.1.3", body: "elf"},
		{name: "lib/libz.so.1", link: "libz.so.1.3"},
		{name: "lib/libz.so", link: "libz.so.1"},
		{name: "lib64", link: "lib"},
		{name: "x", link: "."},
		{name: "again", link: "x/x/lib64/libz.so"},
		{name: "share/", dir: true},
		{name: "share/up", link: ".."},
	}
	for _, format := range []catalog.Format{catalog.FormatZip, catalog.FormatTarGz} {
		build := buildZip
		if format == catalog.FormatTarGz {
			build = buildTarGz
		}
		pkg := writePackage(t, build(t, files), format, "1.0.0")
		if _, err := newInstaller(t).Install(t.Context(), pkg, t.TempDir()+"/atlas"); err != nil {
			t.Errorf("%s: %v", format, err)
		}
	}
}

package archive

import (
	"slices"
	"testing"

	"onramp.dev/onramp/catalog"
)

func TestTarGz(t *testing.T) {
	runCases(t, catalog.FormatTarGz, append(slices.Clone(confinementCases),
		archiveCase{name: "hard-link", members: []member{{name: "f"}, {name: "h", link: "f", kind: Hardlink}}, want: []string{"f", "h"}},
		archiveCase{name: "hard-link-to-nothing", members: []member{{name: "h", link: "missing", kind: Hardlink}}, refused: "only links to an earlier regular file"},
		archiveCase{name: "hard-link-later", members: []member{{name: "h", link: "f", kind: Hardlink}, {name: "f"}}, refused: "only links to an earlier regular file"},
		archiveCase{name: "hard-link-out", members: []member{{name: "h", link: "../f", kind: Hardlink}}, refused: "path with '..' leaves the target"},
	))
}

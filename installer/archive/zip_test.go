package archive

import (
	"testing"

	"onramp.dev/onramp/catalog"
)

func TestZip(t *testing.T) {
	runCases(t, catalog.FormatZip, confinementCases)
}

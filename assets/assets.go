// Package assets holds what Onramp ships inside its binary: the icon, the
// translations, and the demo (catalog, its signing key, and the packages it
// lists, built by code). Everything is embedded with //go:embed; callers
// are cmd/assistant, ui, and the portal's demo mode and tests.
package assets

import (
	"embed"

	"fyne.io/fyne/v2"
)

var (
	//go:embed icon.png
	iconPNG []byte

	//go:embed demo/catalog.json
	demoCatalogJSON []byte

	//go:embed demo/catalog.signed.json
	demoSignedCatalog []byte

	//go:embed demo/demo-signing-key.pem
	demoSigningKeyPEM []byte
)

// Icon is the application icon.
var Icon fyne.Resource = fyne.NewStaticResource("icon.png", iconPNG)

// DemoCatalogJSON is the demo catalog's payload, unsigned.
func DemoCatalogJSON() []byte { return demoCatalogJSON }

// DemoSignedCatalog is the demo catalog in its signed envelope, as a
// publisher would serve it. The portal's demo mode signs a fresh one at
// start; this copy is for `assistant catalog check` and the tests.
func DemoSignedCatalog() []byte { return demoSignedCatalog }

//go:embed lang/*.json
var translations embed.FS

// Translation returns the messages of a language ("fr"), a flat JSON map
// from the English text to its translation; nil when there is none.
func Translation(code string) []byte {
	b, _ := translations.ReadFile("lang/" + code + ".json")
	return b
}

// Package assets holds what Onramp ships inside its binary: the icon, the
// translations, and the demo (catalog, its signing key, and the packages it
// lists, built by code). Everything is embedded with //go:embed; callers
// are cli, ui, and the portal's demo mode and tests.
package assets

import "embed"

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

// IconPNG is the application icon. It is bytes, not a fyne.Resource, so
// that the command line (package cli) links no Fyne through this package.
func IconPNG() []byte { return iconPNG }

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

//go:embed lang/plural/*.json lang/fyne/*.json
var moreTranslations embed.FS

// PluralTranslation returns the messages that change with a number in a
// language ("en", "fr"): a JSON map from the English text to its CLDR
// forms ({"one": …, "other": …}); nil when there is none.
func PluralTranslation(code string) []byte {
	b, _ := moreTranslations.ReadFile("lang/plural/" + code + ".json")
	return b
}

// FyneTranslation returns Fyne's own messages (its file dialog, its entry
// menu) in a language, as Fyne ships them: Fyne picks its language from
// the system, and the window's language may be another one.
func FyneTranslation(code string) []byte {
	b, _ := moreTranslations.ReadFile("lang/fyne/" + code + ".json")
	return b
}

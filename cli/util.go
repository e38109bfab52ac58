package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"runtime/debug"

	"onramp.dev/onramp/cli/jsonout"
	"onramp.dev/onramp/profile"
)

type (
	ed25519PublicKey  = ed25519.PublicKey
	ed25519PrivateKey = ed25519.PrivateKey
)

func generateKey() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	return ed25519.GenerateKey(rand.Reader)
}

func dirOf(path string) string { return filepath.Dir(path) }

// Version is the assistant's version, set by the binary before Main (the
// assistant's is stamped with -ldflags "-X main.version=1.2.3"); when
// empty, the module's version from the build info is shown.
var Version = ""

func versionString() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

func versionCommand() *command {
	return &command{
		name:    "version",
		summary: "print the assistant's version",
		nargs:   [2]int{0, 0},
		help: `Also names the publisher profile built in, if any (a release built with
'.ci/release --profile FILE'); a broken one is an error, which the release
script checks.`,
		run: func(ctx context.Context, e *env, args []string) error {
			p, err := profile.EmbeddedProfile()
			if err != nil {
				return err
			}
			v := jsonout.Version{Version: versionString(), Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
			if p != nil {
				v.Publisher, v.ServiceURL = p.Publisher, p.ServiceURL
			}
			e.out.result(v, func(w io.Writer) {
				fmt.Fprintf(w, "Onramp assistant %s (%s, %s/%s)\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
				if p != nil {
					fmt.Fprintf(w, "Built for %s (%s)\n", termSafe(p.Publisher), termSafe(p.ServiceURL))
				}
			})
			return nil
		},
	}
}

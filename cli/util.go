package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/debug"
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
		run: func(ctx context.Context, e *env, args []string) error {
			if e.json {
				writeJSON(e.stdout, map[string]string{"version": versionString(), "go": runtime.Version(), "platform": runtime.GOOS + "/" + runtime.GOARCH})
				return nil
			}
			fmt.Fprintf(e.stdout, "Onramp assistant %s (%s, %s/%s)\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}

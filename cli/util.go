package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
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

// commitString is the commit the binary was built from, as Go recorded it
// (a build inside a git checkout); "-modified" when the tree had changes.
// Support asks for it: a version number alone does not tell a build from
// a checkout apart.
func commitString() string {
	bi, _ := debug.ReadBuildInfo()
	return commitOf(bi)
}

// commitUnknown is shown when the build recorded no commit: built outside
// a checkout, with -buildvcs=false, or by go run / go test.
const commitUnknown = "unknown (not built from a git checkout)"

func commitOf(bi *debug.BuildInfo) string {
	if bi == nil {
		return commitUnknown
	}
	rev, modified := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return commitUnknown
	}
	if modified {
		rev += "-modified"
	}
	return rev
}

func versionCommand() *command {
	return &command{
		name:    "version",
		summary: "print the assistant's version",
		nargs:   [2]int{0, 0},
		help: `Prints the commit the program was built from ("unknown" when the build
recorded none, as with go run), for support to tell builds apart.
Also names the publisher profile built in, if any (a release built with
'.ci/release --profile FILE'); a broken one is an error, which the release
script checks.`,
		run: func(ctx context.Context, e *env, args []string) error {
			p, err := profile.EmbeddedProfile()
			if err != nil {
				return err
			}
			v := jsonout.Version{Version: versionString(), Commit: commitString(), Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
			if p != nil {
				v.Publisher, v.ServiceURL = p.Publisher, p.ServiceURL
			}
			e.out.result(v, func(w io.Writer) {
				fmt.Fprintf(w, "Onramp assistant %s (commit %s, %s, %s/%s)\n", versionString(), commitString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
				if p != nil {
					fmt.Fprintf(w, "Built for %s (%s)\n", termSafe(p.Publisher), termSafe(p.ServiceURL))
				}
			})
			return nil
		},
	}
}

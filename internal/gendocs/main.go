// Command gendocs writes the assistant's command-line reference
// (docs/cli.md) and man page (docs/man/assistant.1) from the command table
// in cli/, so the documentation cannot drift from the program. Run it from
// the repository root (go run ./internal/gendocs), or go generate ./cli.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"onramp.dev/onramp/cli"
	"onramp.dev/onramp/internal/atomicfile"
)

func main() {
	root := flag.String("root", ".", "the repository's root `folder`")
	flag.Parse()
	for _, f := range []struct {
		path  string
		write func(io.Writer) error
	}{
		{"docs/cli.md", cli.WriteMarkdownReference},
		{"docs/man/assistant.1", cli.WriteManPage},
	} {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			fmt.Fprintf(os.Stderr, "gendocs: %s: %v\n", f.path, err)
			os.Exit(1)
		}
		path := filepath.Join(*root, filepath.FromSlash(f.path))
		err := os.MkdirAll(filepath.Dir(path), 0o755)
		if err == nil {
			err = atomicfile.WriteFile(path, b.Bytes(), 0o644)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "gendocs: %v\n", err)
			os.Exit(1)
		}
	}
}

// Command winproduct is the program of the product that the Wine CI
// installs from a zip (.ci/windows-entries): started through its
// Start-menu shortcut, it writes its version and working folder to the
// file named by ONRAMP_TEST_MARK, which proves Windows (Wine) resolved
// the shortcut to it.
package main

import (
	"fmt"
	"os"
)

var version = "dev"

func main() {
	wd, _ := os.Getwd()
	if p := os.Getenv("ONRAMP_TEST_MARK"); p != "" {
		if err := os.WriteFile(p, []byte(fmt.Sprintf("version %s\nfolder %s\n", version, wd)), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Printf("winproduct %s in %s\n", version, wd)
}

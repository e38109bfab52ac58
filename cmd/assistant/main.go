// Command assistant is Onramp: the GUI when run without a command, and a
// CLI for IT staff who script everything. Every command takes --json and
// returns the exit codes listed in package cli. main only wires things:
// the commands live in package cli, the window in package ui, the work in
// the core packages; this binary adds the window (guicmd.go) to the CLI.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"onramp.dev/onramp/cli"
)

// version is set at build time with -ldflags "-X main.version=1.2.3".
var version = ""

func main() {
	cli.Version = version
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, openWindow)
	stop()
	os.Exit(code)
}

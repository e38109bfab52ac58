// Command assistant is Onramp: the GUI when run without a command, and a
// CLI for IT staff who script everything. Every command takes --json and
// returns the exit codes listed in cli.go. main only wires things: the
// commands live in this package's other files, the work in the core
// packages.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

//go:build demo

package main

import (
	"onramp.dev/onramp/cli"
	"onramp.dev/onramp/demo"
)

// The embedded demo account service links the whole service (SQLite, the
// password hashing, the mailer): only development builds carry it
// (go build -tags demo); a release never does.
func init() { cli.SetDemo(demo.Start) }

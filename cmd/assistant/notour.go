//go:build !tour

package main

import (
	"errors"

	"onramp.dev/onramp/ui"
)

// runTour needs the build with -tags tour (see tour.go).
func runTour(*ui.Assistant, string) error {
	return errors.New("this assistant was built without the screenshot tour (go build -tags tour)")
}

//go:build !tour

package ui

import "errors"

// RunTour needs the build with -tags tour (see tour.go).
func RunTour(*Assistant, string) error {
	return errors.New("this assistant was built without the screenshot tour (go build -tags tour)")
}

//go:build !linux && !windows && !darwin

package syscheck

import (
	"context"
	"errors"
	"runtime"
)

var errNoProbe = errors.New("no GPU or display probe for " + runtime.GOOS)

func probeGraphics(context.Context) graphics {
	return graphics{nil, errNoProbe, nil, errNoProbe}
}

package profile

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnprotected is a machine-wide profile that someone other than an
// administrator could have written. Its catalog keys would be trusted by
// every user of the machine, so such a file is refused, never used.
var ErrUnprotected = errors.New("not protected: only an administrator may be able to write the machine-wide profile and its folder")

// holder says who can change one file or folder, as the OS reports it.
type holder struct {
	Path       string
	Owner      string // as the OS names it: "uid 1000", `NORTHWIND\bob`
	OwnerAdmin bool   // root, or BUILTIN\Administrators or LocalSystem
	// OthersWrite names who else may write it ("its group", "everyone",
	// `BUILTIN\Users`); "" when only the owner and administrators may.
	OthersWrite string
}

// judge decides whether the machine-wide profile may be used, given who
// holds the file and its folder; fix says how an administrator repairs it.
// It is pure so that every OS's rule is tested on every OS.
func judge(holders []holder, fix string) error {
	var wrong []string
	for _, h := range holders {
		if !h.OwnerAdmin {
			wrong = append(wrong, fmt.Sprintf("%s is owned by %s", h.Path, h.Owner))
		}
		if h.OthersWrite != "" {
			wrong = append(wrong, fmt.Sprintf("%s can be written by %s", h.Path, h.OthersWrite))
		}
	}
	if len(wrong) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s; %s", ErrUnprotected, strings.Join(wrong, "; "), fix)
}

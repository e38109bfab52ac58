package urlscheme

import (
	"context"
	"fmt"
	"path/filepath"

	"golang.org/x/sys/windows/registry"
)

// classesKey is the per-user class of the scheme: no administrator
// rights needed, and only this user's links are affected.
const classesKey = `Software\Classes\` + Scheme

// Register makes program (Onramp.exe, an absolute path) the user's
// handler of onramp:// links: HKCU\Software\Classes\onramp with "URL
// Protocol", and shell\open\command = "program" "%1".
func Register(ctx context.Context, program string) (*Registration, error) {
	if !filepath.IsAbs(program) {
		return nil, fmt.Errorf("register %s://: the program %q is not an absolute path", Scheme, program)
	}
	set := func(path string, values map[string]string) error {
		k, _, err := registry.CreateKey(registry.CURRENT_USER, path, registry.SET_VALUE)
		if err != nil {
			return fmt.Errorf(`register %s://: HKCU\%s: %w`, Scheme, path, err)
		}
		defer k.Close()
		for name, v := range values {
			if err := k.SetStringValue(name, v); err != nil {
				return fmt.Errorf(`register %s://: HKCU\%s\%s: %w`, Scheme, path, name, err)
			}
		}
		return nil
	}
	if err := set(classesKey, map[string]string{"": "URL:Onramp link", "URL Protocol": ""}); err != nil {
		return nil, err
	}
	if err := set(classesKey+`\DefaultIcon`, map[string]string{"": `"` + program + `",0`}); err != nil {
		return nil, err
	}
	if err := set(classesKey+`\shell\open\command`, map[string]string{"": `"` + program + `" "%1"`}); err != nil {
		return nil, err
	}
	return &Registration{Program: program, Wrote: []string{`HKCU\` + classesKey}}, nil
}

package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"onramp.dev/onramp/cli/jsonout"
	"onramp.dev/onramp/profile"
)

// installProfileCommand makes a profile file the machine-wide one: what
// Onramp.msi runs, as the installer service, for PROFILE=FILE, and what an
// administrator can run by hand.
func installProfileCommand() *command {
	var remove bool
	return &command{
		name:    "install-profile",
		args:    "FILE | --remove",
		summary: "make FILE the machine-wide publisher profile (administrators)",
		help: `Checks FILE as a publisher profile (profile.json) and installs it as the
machine-wide profile every program on this machine reads (Windows:
%ProgramData%\Onramp\profile.json; Linux: /etc/onramp/profile.json), then
reads it back as the programs do: a profile they would refuse (a folder or
file that someone other than an administrator could change) is removed
again and the command fails. --remove deletes the machine-wide profile.
Onramp.msi runs it for PROFILE=FILE and on uninstall.`,
		nargs: [2]int{0, 1},
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&remove, "remove", false, "remove the machine-wide profile instead")
		},
		run: func(_ context.Context, e *env, args []string) error {
			if remove {
				if len(args) != 0 {
					return usagef("install-profile --remove takes no FILE")
				}
				if err := profile.Remove(); err != nil {
					return err
				}
				e.out.result(jsonout.MachineProfile{Profile: profile.MachinePath(), Removed: true}, func(w io.Writer) {
					fmt.Fprintf(w, "Removed the machine-wide profile %s.\n", termSafe(profile.MachinePath()))
				})
				return nil
			}
			if len(args) != 1 {
				return usagef("install-profile needs the profile FILE (or --remove)")
			}
			path, err := profile.Install(args[0])
			if err != nil {
				return err
			}
			e.out.result(jsonout.MachineProfile{Profile: path, Installed: true, From: args[0]}, func(w io.Writer) {
				fmt.Fprintf(w, "Installed %s as the machine-wide profile %s.\n", termSafe(args[0]), termSafe(path))
			})
			return nil
		},
	}
}

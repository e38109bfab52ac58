package profile

import (
	"os"
	"path/filepath"
)

// MachinePath is the machine-wide profile under %ProgramData%, which only
// administrators write.
func MachinePath() string {
	dir := os.Getenv("ProgramData")
	if dir == "" {
		dir = `C:\ProgramData`
	}
	return filepath.Join(dir, "Onramp", "profile.json")
}

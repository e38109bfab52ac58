package profile

// MachinePath is the machine-wide profile, which only an administrator writes.
func MachinePath() string { return "/Library/Application Support/Onramp/profile.json" }

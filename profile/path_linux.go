package profile

// MachinePath is the machine-wide profile, which only root writes.
func MachinePath() string { return "/etc/onramp/profile.json" }

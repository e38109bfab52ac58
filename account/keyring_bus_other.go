//go:build windows || darwin

package account

// sessionBusMissing: the Keychain and the Credential Manager need no bus.
func sessionBusMissing() bool { return false }

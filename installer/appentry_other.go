//go:build !windows

package installer

// Only Windows lists installed programs in a store Onramp writes to:
// elsewhere an install keeps its receipt alone.
func osEntryStore() entryStore { return nil }

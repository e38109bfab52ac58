package catalog

// These checks are written out rather than as regular expressions: a
// pattern compiled at package init costs every run of the assistant
// (about a millisecond for these, the counted repetitions unrolled), and
// a short install is mostly such fixed costs.

// IsProductID says whether s is a product ID: lowercase letters, digits
// and '-', starting with a letter or digit, at most 63 characters.
func IsProductID(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// IsSHA256Hex says whether s is a SHA-256 written as 64 hex digits (of
// either case).
func IsSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// isFeature says whether s names a CPU feature: 1 to 32 lowercase
// letters, digits, '_' or '.'.
func isFeature(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

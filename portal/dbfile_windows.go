package portal

// privateDBFiles does nothing on Windows: a file there gets the access
// control list of its folder, which is the user's own profile.
func privateDBFiles(path string) ([]string, error) { return nil, nil }

package account

import "github.com/zalando/go-keyring"

var errNotFoundForTest = keyring.ErrNotFound

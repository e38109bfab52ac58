package portal

import (
	"onramp.dev/onramp/api"

	"fmt"
)

const (
	// A request's lists, counted once repeats are dropped: an assignment
	// names at most a window's page of users; products and benefits are
	// a catalog's few.
	maxAssignUsers = MaxUserPage
	maxListValues  = 100
)

// uniqueList is list without its repeats (by key, the first kept), or a
// too_many problem when more than limit distinct values remain: a value
// named 20,000 times is one value, and costs one change.
func uniqueList(field string, list []string, limit int, key func(string) string) ([]string, *api.FieldError) {
	seen := make(map[string]bool, min(len(list), limit+1))
	out := make([]string, 0, min(len(list), limit+1))
	for _, v := range list {
		if key != nil {
			v = key(v)
		}
		if seen[v] {
			continue
		}
		if len(out) == limit {
			e := fieldError(field, api.FieldTooMany, fmt.Sprintf("more than %d distinct values: send fewer at once", limit))
			e.Limit, e.Count = limit, len(out)+1
			return nil, e
		}
		seen[v] = true
		out = append(out, v)
	}
	return out, nil
}
